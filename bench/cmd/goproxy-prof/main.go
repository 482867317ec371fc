// Command goproxy-prof runs goproxy's engine (goha/proxy) on a haproxy
// configuration and writes a CPU profile of it, for bench/run.sh: goproxy
// itself has no pprof endpoint, and a profiling hook does not belong in
// the product.
//
//	GOHA_CPUPROFILE=cpu.pprof goproxy-prof -db -f haproxy.cfg
//
// It takes the command line the harness gives goproxy (-db is accepted
// and ignored: this program always stays in the foreground), starts the
// profile once the listeners are bound and writes it on SIGTERM or
// SIGINT. It serves like "goproxy -db" but without its daemon, pid-file
// and privilege handling.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"goha/parser/haproxy"
	"goha/proxy"
)

func main() {
	var files []string
	flag.Func("f", "configuration file (repeatable)", func(s string) error {
		files = append(files, s)
		return nil
	})
	flag.Bool("db", true, "accepted for goproxy's command line; always in the foreground")
	profile := flag.String("cpuprofile", os.Getenv("GOHA_CPUPROFILE"), "CPU profile output (default $GOHA_CPUPROFILE)")
	memProfile := flag.String("memprofile", os.Getenv("GOHA_MEMPROFILE"), "allocation profile output, every allocation sampled (default $GOHA_MEMPROFILE)")
	traceOut := flag.String("trace", os.Getenv("GOHA_TRACE"), "execution trace output, from start to SIGTERM (default $GOHA_TRACE; go tool trace)")
	flag.Parse()
	if *traceOut != "" {
		// The scheduler's view: when goroutines became runnable, ran,
		// blocked on the network; what the latency scenario's tail is
		// made of.
		out, err := os.Create(*traceOut)
		if err == nil {
			err = trace.Start(out)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer func() { trace.Stop(); out.Close() }()
	}
	if *memProfile != "" {
		// Every allocation: the profile then counts allocations per
		// request exactly (divide by the requests served).
		runtime.MemProfileRate = 1
	}
	if len(files) == 0 || *profile == "" {
		fmt.Fprintln(os.Stderr, "usage: goproxy-prof -cpuprofile FILE -f haproxy.cfg")
		os.Exit(2)
	}
	code := run(files, *profile)
	if *memProfile != "" {
		writeHeap(*memProfile)
	}
	if code != 0 {
		os.Exit(code)
	}
}

// writeHeap writes the allocation profile (pprof -sample_index=alloc_objects).
func writeHeap(path string) {
	out, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(out, 0)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

func run(files []string, profile string) int {
	res := haproxy.Load(files, haproxy.Options{})
	for _, d := range res.Diags {
		fmt.Fprintln(os.Stderr, d.Format(os.Getpid()))
	}
	if res.Fatal || res.Config == nil {
		return 1
	}
	e, err := proxy.New(res.Config, proxy.Options{Logf: func(level, format string, args ...any) {
		if level == "alert" || level == "warning" {
			fmt.Fprintf(os.Stderr, "[%s] %s\n", level, fmt.Sprintf(format, args...))
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := e.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer e.Close()
	out, err := os.Create(profile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := pprof.StartCPUProfile(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	<-sigs
	pprof.StopCPUProfile()
	if err := out.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
