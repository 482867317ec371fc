// Package acl evaluates haproxy ACLs and conditions (configuration.txt §7):
// sample fetches on an HTTP transaction, pattern matching methods, and
// if/unless conditions built from named, predefined and anonymous ACLs.
//
// Compilation happens once per configuration (Compile, NewSet); evaluation
// (Set.Eval) runs per request and does not allocate.
package acl
