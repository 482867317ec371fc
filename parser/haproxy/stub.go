package haproxy

// Config is a placeholder until the parser lands.
type Config struct{}

func load(paths []string, opts Options) Result { return Result{} }
