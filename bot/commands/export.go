package commands

// --csv: a list command that declares CSV sends its full result (every page, for the same filters) as one
// file message instead of a page of markdown. The engine adds the flag, encodes the table (UTF-8 with a BOM,
// so Excel reads Chinese), uploads it with media/upload and audits the file's SHA-256 and row count; the
// command only yields its header and rows.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// Table is a list command's full result for --csv: column names in the reader's language and every row.
type Table struct {
	Name   string // the file's name without date and extension, e.g. "oplog-member"
	Header []string
	Rows   [][]string
	// More says there were more rows than the limit the command was given: the file is refused, not cut.
	More bool
}

// Header translates column names (message ids) into the reader's language.
func Header(p *i18n.Printer, ids ...string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = p.T(id)
	}
	return out
}

// CSVTime is how files write a time: a spreadsheet reads it as a date and time.
const CSVTime = "2006-01-02 15:04:05"

// MaxCSVRows bounds an export: 100,000 rows (about 10–20 MB of CSV for the widest lists, WeCom's 20 MB for a
// file). A larger result is refused with a suggestion to narrow it, never sent cut short.
const MaxCSVRows = 100_000

// exportTimeout bounds one export, which may walk many pages: longer than a command's usual 30 s.
const exportTimeout = 3 * time.Minute

// Uploader uploads a temporary medium; *wecom.MediaService implements it.
type Uploader interface {
	Upload(ctx context.Context, typ wecom.MediaType, filename string, data []byte) (*wecom.Media, error)
}

// csvFlag is the flag the registry adds to every command that declares CSV.
var csvFlag = Flag{Name: "csv", Kind: Bool,
	Help: "send the full result (every page, up to 100,000 rows) as a CSV file instead of a page"}

// csvAPI is what --csv calls, listed with the command's own APIs.
const csvAPI = "POST media/upload"

// bom makes Excel read the file as UTF-8.
const bom = "\xEF\xBB\xBF"

// EncodeCSV writes a table as UTF-8 CSV with a BOM and CRLF line ends (RFC 4180). A cell that a spreadsheet
// would run as a formula (starting with =, +, -, @, tab or CR, and not a number) is prefixed with ' (OWASP's
// advice on CSV injection): the records come from WeCom and members, not from us.
func EncodeCSV(t *Table) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(bom)
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.Write(t.Header); err != nil {
		return nil, err
	}
	row := make([]string, 0, len(t.Header))
	for _, r := range t.Rows {
		row = row[:0]
		for _, c := range r {
			row = append(row, SafeCell(c))
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// SafeCell is a cell as EncodeCSV writes it.
func SafeCell(c string) string {
	if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
		return c
	}
	if _, err := strconv.ParseFloat(c, 64); err == nil {
		return c
	}
	return "'" + c
}

// export runs a command's CSV and sends the file: it returns the reply (the file, or why there is none) and
// what the audit row records.
func (e *Engine) export(ctx context.Context, inv *Invocation) (*replies.Reply, string, error) {
	p := inv.P
	if e.Files == nil {
		return nil, "", bot.Errorf(bot.EUNAVAILABLE, "files cannot be sent from here; run the command without --csv")
	}
	ctx, cancel := context.WithTimeout(ctx, exportTimeout)
	defer cancel()
	t, err := inv.Command.CSV(ctx, inv, MaxCSVRows)
	if err != nil {
		return nil, "", err
	}
	if t.More {
		return nil, "", bot.Errorf(bot.EINVALID, "More than %s rows match, and a file holds at most %s. Narrow it with a shorter range (--since, --from/--to) or filters.",
			Thousands(MaxCSVRows), Thousands(MaxCSVRows))
	}
	if len(t.Rows) == 0 {
		// Nothing to send: the command's own answer says so, in one message.
		r, err := inv.Command.Run(ctx, inv)
		return r, "no rows: no file sent", err
	}
	data, err := EncodeCSV(t)
	if err != nil {
		return nil, "", err
	}
	limit := e.MaxFileBytes
	if limit <= 0 {
		limit = wecom.MaxFileBytes
	}
	if len(data) > limit {
		return replies.Say(p, "The file would be %s (%s rows), over WeCom's %s for a file, so it was not sent. Narrow it with a shorter range (--since, --from/--to) or filters.",
				Size(len(data)), Thousands(len(t.Rows)), Size(limit)),
			fmt.Sprintf("refused: %d rows, %d bytes, over %d", len(t.Rows), len(data), limit), nil
	}
	name := t.Name + "-" + inv.Now.In(replies.China).Format("20060102-1504") + ".csv"
	m, err := e.Files.Upload(ctx, wecom.MediaFile, name, data)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(data)
	f := &replies.File{MediaID: m.MediaID, Name: name, Rows: len(t.Rows), Bytes: len(data)}
	return &replies.Reply{File: f},
		fmt.Sprintf("file %s: %d rows, %d bytes, sha256 %s", name, len(t.Rows), len(data), hex.EncodeToString(sum[:])), nil
}

// Size writes a byte count as members read it: 123 KB, 4.5 MB.
func Size(n int) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.Itoa((n+1<<9)>>10) + " KB"
	}
	return strconv.Itoa(n) + " B"
}

// Thousands writes n with thousands separators: 100,000.
func Thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
