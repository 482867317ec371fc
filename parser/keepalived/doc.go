// Package keepalived reads keepalived.conf into a typed configuration.
package keepalived
