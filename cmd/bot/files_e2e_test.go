package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom/emulator"
)

// seedMemberLog adds n member-log records for userid, one every 30 s back from now, with details that need
// CSV quoting (commas, quotes, Chinese, a newline).
func seedMemberLog(s *stack, userid string, n int) {
	now := time.Now().Truncate(time.Second)
	for i := 1; i <= n; i++ {
		s.emu.AddMemberOperRecord(emulator.MemberOperRecord{Time: now.Add(-time.Duration(i) * 30 * time.Second), UserID: userid,
			OperType: []int{1, 4, 8, 21}[i%4], DetailInfo: fmt.Sprintf("新设备登录：Windows PC, \"办公室\" #%d\n第二行", i),
			IP: fmt.Sprintf("183.40.%d.*", i%256)})
	}
}

// fileMessages are the file messages delivered to userid.
func (s *stack) fileMessages(userid string) []emulator.SentMessage {
	var out []emulator.SentMessage
	for _, m := range s.emu.Delivered(userid) {
		if m.MsgType == "file" {
			out = append(out, m)
		}
	}
	return out
}

// A CSV of 5,000 member-log records arrives as ONE file message whose rows are the emulator's records, field
// for field; the audit row records the file's SHA-256 and row count, and the chain still verifies.
func TestE2E_oplogCSVIsOneFileOfEveryRecord(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	const who, n = "zhaoliu", 5000
	seedMemberLog(s, who, n)
	before := len(s.emu.Delivered("zhangsan"))
	// An explicit --from makes the range's start exact (--since counts from the bot's now, a moment later
	// than the test's), so a record near the boundary cannot be in one list and not the other.
	from := time.Now().In(replies.China).Add(-48 * time.Hour).Truncate(time.Minute)
	start := time.Now()
	s.say(t, "zhangsan", "/oplog member --user "+who+" --from \""+from.Format("2006-01-02 15:04")+"\" --csv")
	took := time.Since(start)
	got := s.emu.Delivered("zhangsan")[before:]
	if len(got) != 1 || got[0].MsgType != "file" {
		t.Fatalf("the answer is %d messages (%+v); want one file message", len(got), got)
	}
	data, name, ok := s.emu.Media(got[0].MediaID)
	if !ok || name != got[0].FileName || !strings.HasPrefix(name, "oplog-member-") || !strings.HasSuffix(name, ".csv") {
		t.Fatalf("Media(%s) = %v, %q; message names %q", got[0].MediaID, ok, name, got[0].FileName)
	}
	if !bytes.HasPrefix(data, []byte("\xEF\xBB\xBF")) {
		t.Fatalf("file starts %q; want the UTF-8 BOM", data[:min(8, len(data))])
	}
	rows, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"Time", "Member", "Operation", "Type code", "Detail", "IP"}
	if strings.Join(rows[0], "|") != strings.Join(wantHeader, "|") {
		t.Fatalf("header = %q; want %q", rows[0], wantHeader)
	}
	// The emulator's records for that member in the range, newest first, as the file must hold them.
	var want [][]string
	recs := s.emu.MemberOperRecords()
	for i := len(recs) - 1; i >= 0; i-- {
		r := recs[i]
		if r.UserID != who || r.Time.Before(from) || !r.Time.Before(start) {
			continue
		}
		want = append(want, []string{r.Time.In(replies.China).Format("2006-01-02 15:04:05"), r.UserID, "", fmt.Sprint(r.OperType), r.DetailInfo, r.IP})
	}
	body := rows[1:]
	if len(body) != len(want) || len(body) < n {
		t.Fatalf("file has %d rows; the emulator has %d records for %s in range (seeded %d)", len(body), len(want), who, n)
	}
	for i := range want {
		g, w := body[i], want[i]
		w[2] = g[2] // the operation in words is checked below
		if strings.Join(g, "\x00") != strings.Join(w, "\x00") {
			t.Fatalf("row %d = %q; want %q", i+1, g, w)
		}
		if g[2] == "" || strings.HasPrefix(g[2], "MemberOperType(") {
			t.Fatalf("row %d operation %q; want its name", i+1, g[2])
		}
	}

	// The audit row: one ok entry for the export, carrying the row count and the file's hash.
	sum := sha256.Sum256(data)
	entries, err := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "oplog member", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Decision != db.DecisionOK ||
		!strings.Contains(entries[0].Result, fmt.Sprintf("%d rows", len(body))) ||
		!strings.Contains(entries[0].Result, "sha256 "+hex.EncodeToString(sum[:])) || entries[0].Args["--csv"] != "true" {
		t.Fatalf("audit = %+v; want one ok row with %d rows and sha256 %x", entries, len(body), sum)
	}
	rep, err := s.app.db.VerifyAudit(t.Context())
	if err != nil || rep.BrokenAt != 0 {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
	if n := len(s.emu.CallsTo("media/upload")); n != 1 {
		t.Fatalf("media/upload called %d times; want 1", n)
	}
	t.Logf("%d rows, %d bytes, %d member_oper_log/list calls, answered in %v", len(body), len(data),
		len(s.emu.CallsTo("security/member_oper_log/list")), took)
}

// The file is written in the reader's language: a member reading Chinese gets Chinese column names and
// operation names.
func TestE2E_csvInChinese(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, nil)
	seedMemberLog(s, "zhaoliu", 3)
	s.say(t, "zhangsan", "/lang zh")
	s.say(t, "zhangsan", "/日志 成员 --user zhaoliu --since 1d --csv")
	files := s.fileMessages("zhangsan")
	if len(files) != 1 {
		t.Fatalf("%d file messages; want 1", len(files))
	}
	data, _, _ := s.emu.Media(files[0].MediaID)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "时间,成员,操作,类型编号,详情,IP" {
		t.Fatalf("header = %q; want the Chinese column names", got)
	}
	for _, r := range rows[1:] {
		if r[2] == "" || strings.IndexFunc(r[2], func(c rune) bool { return c < 0x80 }) >= 0 {
			t.Fatalf("operation %q; want its Chinese name", r[2])
		}
	}
}

// Over the file limit: nothing is uploaded, and the one reply says how big the file would be and how to narrow
// it. (The limit is lowered so the test stays small; 20 MB is WeCom's, enforced by the client and emulator.)
func TestE2E_oplogCSVOverTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	s := startStack(t, emulator.Options{}, func(a *app) { a.engine.MaxFileBytes = 4 << 10 })
	seedMemberLog(s, "zhaoliu", 200)
	out := s.say(t, "zhangsan", "/oplog member --user zhaoliu --since 3d --csv")
	if len(out) != 1 || !strings.Contains(out[0], "over WeCom's 4 KB for a file") || !strings.Contains(out[0], "--since") ||
		!strings.Contains(out[0], " rows)") {
		t.Fatalf("answer = %q; want one message saying the size, the limit and how to narrow it", out)
	}
	if n := len(s.emu.CallsTo("media/upload")); n != 0 || len(s.fileMessages("zhangsan")) != 0 {
		t.Fatalf("%d uploads, %d file messages; want none", n, len(s.fileMessages("zhangsan")))
	}
	entries, _ := s.app.db.ListAudit(t.Context(), db.AuditFilter{Command: "oplog member", Limit: 5})
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Result, "refused: ") {
		t.Fatalf("audit = %+v; want the refusal recorded", entries)
	}
}
