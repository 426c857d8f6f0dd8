package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
)

const auditUsage = `usage: wecombot audit <subcommand> [flags]

subcommands:
  verify --config config.toml [--anchor SEQ:HASH]
        Recompute the audit trail's hash chain. Prints "audit trail intact: N rows, head HASH", or names the
        first broken row and exits non-zero. Deleting the newest rows leaves a valid chain, so keep the printed
        N:HASH outside this machine (log it daily); --anchor N:HASH then also checks that the trail still
        contains that row unchanged.
  list --config config.toml [--actor USERID] [--command PATH] [--decision D] [--since 24h|3d|2006-01-02] [--limit N]
        The newest entries first (default 20, at most 200).
`

// runAudit implements `wecombot audit verify` and `wecombot audit list`.
func runAudit(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, auditUsage)
		return errors.New("audit: missing subcommand: verify or list")
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, e, args[1:])
	case "list":
		return auditList(ctx, e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, auditUsage)
		return nil
	}
	fmt.Fprint(e.stderr, auditUsage)
	return fmt.Errorf("audit: unknown subcommand %q: want verify or list", args[0])
}

// auditKey returns the HMAC key of the audit chain from the config ([audit] key, usually "env:AUDIT_KEY");
// nil means a plain SHA-256 chain. verify must use the key serve appends with, or it cannot check keyed rows.
func auditKey(cfg *config.Config) []byte {
	if cfg.Audit.Key == "" {
		return nil
	}
	return []byte(cfg.Audit.Key)
}

// auditFlags parses a subcommand's flags, which fs declares besides --config, and loads the config.
func auditFlags(e *env, fs *flag.FlagSet, args []string) (*config.Config, error) {
	fs.SetOutput(e.stderr)
	path := fs.String("config", "config.toml", "path to the config file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return loadConfig(e, fs.Name(), []string{"--config", *path})
}

// openAuditDB opens the database in the config with its audit key. It refuses a missing file: opening creates
// one, and "intact: 0 rows" about a mistyped path would be a false reassurance.
func openAuditDB(cfg *config.Config) (*db.DB, error) {
	if _, err := os.Stat(cfg.Store.Path); err != nil {
		return nil, fmt.Errorf("store.path: %w", err)
	}
	d, err := db.Open(cfg.Store.Path)
	if err != nil {
		return nil, err
	}
	if err := d.SetAuditKey(auditKey(cfg)); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func auditVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	anchorFlag := fs.String("anchor", "", "a SEQ:HASH printed by an earlier verify, which the trail must still contain")
	cfg, err := auditFlags(e, fs, args)
	if err != nil {
		return err
	}
	var anchorSeq int64
	var anchorHash string
	if *anchorFlag != "" {
		// The hash holds a colon itself ("sha256:…"): split at the first one.
		s, h, ok := strings.Cut(*anchorFlag, ":")
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil || n < 1 || h == "" {
			return fmt.Errorf("audit verify: --anchor must be SEQ:HASH as printed by verify, like 120:sha256:9f86…, got %q",
				*anchorFlag)
		}
		anchorSeq, anchorHash = n, h
	}
	d, err := openAuditDB(cfg)
	if err != nil {
		return err
	}
	defer d.Close()

	rep, err := d.VerifyAudit(ctx)
	if errors.Is(err, db.ErrAuditKeyRequired) {
		return fmt.Errorf("audit verify: %w ([audit] key in the config)", err)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.BrokenAt == 0 && anchorSeq != 0 {
		// The chain alone cannot show rows deleted from the end, nor (without a key) a recomputed chain; an
		// anchored row that is gone or changed does.
		switch h, err := d.AuditHashAt(ctx, anchorSeq); {
		case anchorSeq > rep.Rows:
			rep.BrokenAt = rep.Rows + 1
			rep.Reason = fmt.Sprintf("the trail ends at row %d but the anchor is at row %d: rows were deleted from the end, or the database was replaced",
				rep.Rows, anchorSeq)
		case err != nil:
			return fmt.Errorf("audit verify: %w", err)
		case h != anchorHash:
			rep.BrokenAt = anchorSeq
			rep.Reason = "its hash differs from the anchor: the trail was rewritten up to this row, or the database was replaced"
		}
	}
	if rep.BrokenAt != 0 {
		fmt.Fprintf(e.stdout, "audit trail BROKEN at row %d: %s\n", rep.BrokenAt, rep.Reason)
		return fmt.Errorf("audit trail broken at row %d", rep.BrokenAt)
	}
	head := rep.Head
	if head == "" {
		head = "(none)"
	}
	fmt.Fprintf(e.stdout, "audit trail intact: %d rows, head %s\n", rep.Rows, head)
	if anchorSeq != 0 {
		fmt.Fprintf(e.stdout, "contains the anchor at row %d\n", anchorSeq)
	}
	return nil
}

func auditList(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("audit list", flag.ContinueOnError)
	var f db.AuditFilter
	fs.StringVar(&f.Actor, "actor", "", "only this WeCom userid")
	fs.StringVar(&f.Command, "command", "", `only this command path, or its subcommands ("order" includes "order approve")`)
	fs.StringVar(&f.Decision, "decision", "", "only ok, denied, failed, cancelled, proposed or expired")
	since := fs.String("since", "", `only entries this recent: a duration ("24h", "3d") or a date ("2006-01-02", local time)`)
	fs.IntVar(&f.Limit, "limit", 20, "at most this many entries, 1 to 200")
	cfg, err := auditFlags(e, fs, args)
	if err != nil {
		return err
	}
	if f.Limit < 1 || f.Limit > 200 {
		return fmt.Errorf("audit list: --limit must be 1 to 200, got %d", f.Limit)
	}
	if *since != "" {
		if f.Since, err = parseSince(*since, time.Now()); err != nil {
			return fmt.Errorf("audit list: --since: %w", err)
		}
	}
	d, err := openAuditDB(cfg)
	if err != nil {
		return err
	}
	defer d.Close()
	entries, err := d.ListAudit(ctx, f)
	if err != nil {
		return fmt.Errorf("audit list: %w", err)
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.stdout, "no audit entries match")
		return nil
	}
	return writeAuditTable(e.stdout, entries)
}

// parseSince reads --since: a Go duration or a whole number of days ("3d") back from now, or a date or RFC 3339
// time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (24h, 3d) nor a date (2006-01-02)", s)
}

// writeAuditTable writes entries as an aligned table. Every cell goes through cell: arguments and results hold
// text users typed, which must not reach the operator's terminal as control sequences or break the columns.
func writeAuditTable(w io.Writer, entries []db.AuditEntry) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tCOMMAND\tDECISION\tTOOK\tRESULT\tARGS")
	for _, a := range entries {
		decision := a.Decision
		if a.ErrCode != 0 {
			decision += fmt.Sprintf(" (errcode %d)", a.ErrCode)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", a.Seq, a.At.Local().Format("2006-01-02 15:04:05 -0700"),
			cell(a.Actor, 32), cell(a.Command, 32), decision, a.Duration, cell(a.Result, 60), cell(formatArgs(a.Args), 80))
	}
	return tw.Flush()
}

// formatArgs writes arguments as key=value in key order, quoting values that are empty or hold spaces, quotes
// or '='.
func formatArgs(args map[string]string) string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		v := args[k]
		if v == "" || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '"' || r == '=' }) {
			v = strconv.Quote(v)
		}
		parts[i] = k + "=" + v
	}
	return strings.Join(parts, " ")
}

// cell makes s safe for one table cell: characters that are not printable (control characters, tabs, newlines,
// bidi overrides) are shown escaped, and s is cut to width runes.
func cell(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == width {
			b.WriteString("…")
			break
		}
		if unicode.IsGraphic(r) && r != '\t' {
			b.WriteRune(r)
		} else {
			q := strconv.QuoteRune(r) // '\x1b', '\u202e'
			b.WriteString(q[1 : len(q)-1])
		}
		n++
	}
	return b.String()
}
