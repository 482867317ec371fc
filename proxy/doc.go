// Package proxy is the goproxy engine: listeners, frontends, backends, streams.
package proxy
