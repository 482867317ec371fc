// Command goproxy is goha's drop-in replacement for haproxy 2.6: it reads
// the same configuration files and takes the same command line.
package main

import (
	"os"

	"github.com/spf13/cobra"
)

func main() {
	p := newProgram()
	code := 0
	cmd := &cobra.Command{
		Use:   p.name + " [-f <cfgfile|cfgdir>]* [options] [-- <cfgfile>*]",
		Short: "drop-in replacement for haproxy 2.6",
		// haproxy's options are single-dash words such as -db, -vv and
		// -sf PID...; pflag cannot read them, so ParseArgs does.
		DisableFlagParsing: true,
		SilenceErrors:      true,
		SilenceUsage:       true,
		Args:               cobra.ArbitraryArgs,
		CompletionOptions:  cobra.CompletionOptions{DisableDefaultCmd: true},
		Run: func(_ *cobra.Command, args []string) {
			code = p.run(args)
		},
	}
	args := os.Args[1:]
	if len(args) > 0 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) {
		// cobra would answer these itself; to haproxy they are bare words.
		os.Exit(p.run(args))
	}
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		p.stop(&Stop{Usage: true, Code: 1})
		os.Exit(1)
	}
	os.Exit(code)
}
