package linediff

import (
	"reflect"
	"testing"
)

func TestLines(t *testing.T) {
	for _, c := range []struct {
		a, b, want []string
	}{
		{[]string{"x", "y", "z"}, []string{"x", "y", "z"}, nil},
		{[]string{"x", "y", "z"}, []string{"x", "z"}, []string{"- y"}},
		{[]string{"x", "z"}, []string{"x", "y", "z"}, []string{"+ y"}},
		{[]string{"a", "b"}, []string{"c"}, []string{"+ c", "- a", "- b"}},
		{nil, []string{"n"}, []string{"+ n"}},
	} {
		if got := Lines(c.a, c.b); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Lines(%q, %q) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
