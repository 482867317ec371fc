// Package capture holds the test that records vrrp/testdata/golden from the
// real keepalived 2.2.7; see capture_linux_test.go.
package capture
