// Command bot is the WeCom chat-ops bot.
//
//	wecombot demo                           the bot against the built-in WeCom emulator, no config needed
//	wecombot serve --config config.toml     the production server
//	wecombot emulator --config config.toml  only the WeCom emulator, as WeCom for the app in the config
//	wecombot health --config config.toml    ask a running bot's /healthz (exit status 0 when healthy)
//	wecombot doctor --config config.toml    check an install against WeCom; non-zero exit when a check fails
//	wecombot menu sync --config config.toml set the app's menu in WeCom from the config
//	wecombot version                        print the version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // replies.timezone must load on hosts without a zoneinfo database

	"github.com/wecombot/wecombot/bot/config"
	_ "github.com/wecombot/wecombot/internal/needcgo" // a build without cgo stops here, saying why
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch of the outside world, so tests can run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) (string, bool)
}

var subcommands []*command

func init() {
	subcommands = []*command{
		{"demo", "run the bot against the built-in WeCom emulator, with a console (no config needed)", runDemo},
		{"serve", "run the bot (the callback server) with a config file", runServe},
		{"emulator", "run only the WeCom emulator for the app in a config file", runEmulator},
		{"audit", "check (verify) or list the audit trail in the database", runAudit},
		{"health", "ask a running bot's /healthz (the container healthcheck)", runHealth},
		{"doctor", "check an install against WeCom: a checklist with the admin-console fix for each problem", runDoctor},
		{"menu", "set the app's menu in WeCom from the config (wecombot menu sync)", runMenu},
		{"backup", "write a consistent copy of the database while the bot runs", runBackup},
		{"restore", "put a backup (or the Litestream replica) in place of the database, when no bot runs on it", runRestore},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.LookupEnv}
	if err := run(ctx, e, os.Args[1:]); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "wecombot:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stdout)
		if len(args) == 0 {
			return flag.ErrHelp
		}
		return nil
	}
	for _, c := range subcommands {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	usage(e.stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: wecombot <command> [flags]\n\ncommands:")
	for _, c := range subcommands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'wecombot <command> -h' for a command's flags.")
}

// loadConfig parses --config for a command.
func loadConfig(e *env, name string, args []string) (*config.Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "config.toml", "path to the config file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q", name, fs.Arg(0))
	}
	b, err := os.ReadFile(*path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := config.Parse(string(b), e.getenv)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", *path, err)
	}
	return c, nil
}

// newLogger builds the process logger from the config.
func newLogger(w io.Writer, c config.Log) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // validated by config
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
