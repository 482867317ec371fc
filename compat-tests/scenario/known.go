package scenario

// KnownDifferences maps the differences the scenarios show to the entries
// of compat-tests/DIFFERENCES.md that explain them. An entry only counts
// when DIFFERENCES.md really contains its Doc text, so removing the
// explanation makes make compat fail again.
var KnownDifferences = []Known{}
