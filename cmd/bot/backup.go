package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/replication"
)

// parseWithFile parses fs over args with exactly one positional argument, which may come before, between or
// after the flags (Go's flag package stops at the first non-flag). want names it in errors.
func parseWithFile(fs *flag.FlagSet, args []string, want string) (string, error) {
	pos, err := parsePositional(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", fmt.Errorf("%s: want exactly one %s, got %d arguments", fs.Name(), want, len(pos))
	}
	return pos[0], nil
}

// parsePositional parses fs over args and returns the positional arguments found among the flags.
func parsePositional(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// runBackup is `wecombot backup --config config.toml [--force] FILE`: a consistent copy of the database while the
// bot runs.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "config.toml", "path to the config file")
	force := fs.Bool("force", false, "replace FILE if it exists")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: wecombot backup --config config.toml [--force] FILE\n\n"+
			"Writes a consistent copy of store.path to FILE (mode 0600) while the bot runs. The copy is a database\n"+
			"file: check it with `wecombot audit verify` on a config whose store.path is FILE; put it back with `wecombot restore`.")
		fs.PrintDefaults()
	}
	dest, err := parseWithFile(fs, args, "FILE to write the backup to")
	if err != nil {
		return err
	}
	cfg, err := loadConfig(e, "backup", []string{"--config", *cfgPath})
	if err != nil {
		return err
	}
	info, err := db.Backup(ctx, cfg.Store.Path, dest, *force)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s: %d bytes in %s\n", cfg.Store.Path, info.Path, info.Bytes, info.Took.Round(time.Millisecond))
	return nil
}

// runRestore is `wecombot restore --config config.toml FILE` or `wecombot restore --config config.toml --from-replica`.
func runRestore(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfgPath := fs.String("config", "config.toml", "path to the config file")
	fromReplica := fs.Bool("from-replica", false, "restore the newest state of [replication] replica instead of a FILE")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: wecombot restore --config config.toml FILE\n"+
			"       wecombot restore --config config.toml --from-replica\n\n"+
			"Puts a backup FILE (or the newest state on the Litestream replica) in place of store.path. Refuses while\n"+
			"a bot runs on store.path. The database that was there is kept as store.path.before-restore-TIME.")
		fs.PrintDefaults()
	}
	pos, err := parsePositional(fs, args)
	if err != nil {
		return err
	}
	var src string
	switch {
	case *fromReplica && len(pos) > 0:
		return errors.New("restore: give a backup FILE or --from-replica, not both")
	case !*fromReplica && len(pos) != 1:
		return fmt.Errorf("restore: want exactly one backup FILE (or --from-replica), got %d arguments", len(pos))
	case !*fromReplica:
		src = pos[0]
	}
	cfg, err := loadConfig(e, "restore", []string{"--config", *cfgPath})
	if err != nil {
		return err
	}
	var info db.RestoreInfo
	if *fromReplica {
		if !cfg.Replication.Enabled() {
			return errors.New("restore: --from-replica needs [replication] replica in the config")
		}
		var updated time.Time
		log := newLogger(e.stderr, cfg.Log).With("component", "replication")
		info, err = db.RestoreWith(ctx, cfg.Store.Path, func(tmp string) error {
			updated, err = replication.Restore(ctx, cfg.Replication, tmp, log)
			return err
		})
		if err == nil {
			fmt.Fprintf(e.stdout, "restored %s from the replica (last updated %s): what the primary committed after that is not in it\n",
				cfg.Store.Path, updated.UTC().Format(time.RFC3339))
		}
	} else {
		info, err = db.Restore(ctx, src, cfg.Store.Path)
		if err == nil {
			fmt.Fprintf(e.stdout, "restored %s from %s\n", cfg.Store.Path, src)
		}
	}
	if errors.Is(err, db.ErrInUse) {
		return fmt.Errorf("restore: refused: %w; stop it first (a standby starts only after the primary is gone)", err)
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if info.Aside != "" {
		fmt.Fprintf(e.stdout, "the database that was there is kept as %s\n", info.Aside)
	}
	return nil
}

// replicate runs Litestream for the bot's database while the bot runs, when [replication] replica is set; one of
// app.run's loops. It ends with a final sync when ctx ends. A replica that cannot be started stops the bot: an
// operator who configured replication must not believe it runs.
func (a *app) replicate(ctx context.Context) error {
	if !a.cfg.Replication.Enabled() {
		return nil
	}
	log := a.log.With("component", "replication")
	r, err := replication.Start(a.cfg.Replication, a.cfg.Store.Path, log)
	if err != nil {
		return err
	}
	log.Info("replicating the database", slog.Duration("sync_interval", a.cfg.Replication.Sync()))
	<-ctx.Done()
	if err := r.Close(); err != nil {
		log.Error("final replication sync failed", slog.String("err", err.Error()))
	}
	return nil
}
