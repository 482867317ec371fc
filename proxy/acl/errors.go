package acl

import "fmt"

func errBadArg(fetch, arg string) error {
	return fmt.Errorf("invalid argument '%s' for fetch method '%s'", arg, fetch)
}
