package security

import (
	"context"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/bot"
	"github.com/wecombot/wecombot/bot/replies"
	"github.com/wecombot/wecombot/wecom"
)

// oplogNow is a fixed "now" with a sub-second part, which resolve must drop.
var oplogNow = time.Date(2026, 11, 20, 10, 0, 0, 500_000_000, replies.China)

const oplogDay = 24 * time.Hour

// checkWindows checks the invariants every split must keep: newest first; each window within span and
// non-empty (WeCom refuses end_time <= start_time); adjacent windows share their boundary second and the owned
// ranges [Keep, End] tile [from, to] exactly, so no record is missed or read twice.
func checkWindows(t *testing.T, ws []oplogWindow, from, to time.Time, span time.Duration) {
	t.Helper()
	if len(ws) == 0 {
		t.Fatalf("no windows for %v → %v", from, to)
	}
	if ws[0].End != to.Unix() {
		t.Errorf("newest window ends %d; want to = %d", ws[0].End, to.Unix())
	}
	if last := ws[len(ws)-1]; last.Start != from.Unix() || last.Keep != from.Unix() {
		t.Errorf("oldest window = %+v; want it to start and keep from %d", last, from.Unix())
	}
	for i, w := range ws {
		if w.End <= w.Start || time.Duration(w.End-w.Start)*time.Second > span {
			t.Errorf("window %d = %+v: empty or longer than %v", i, w, span)
		}
		if i > 0 {
			prev := ws[i-1]
			if w.End != prev.Start || prev.Keep != w.End+1 {
				t.Errorf("windows %d and %d = %+v, %+v: want a shared boundary owned by the older", i-1, i, prev, w)
			}
		}
	}
}

func TestOplogWindows(t *testing.T) {
	t.Parallel()
	now := oplogNow.Truncate(time.Second)
	end := now.Add(-time.Second) // WeCom wants end_time earlier than now (DOC/100178)
	for _, tc := range []struct {
		name  string
		r     oplogRange
		span  time.Duration
		want  int       // windows
		from  time.Time // resolved
		to    time.Time
		first int64 // Start of the newest window
	}{
		{"3d", oplogRange{Since: 3 * oplogDay, HasSince: true}, wecom.MaxOperLogSpan, 1, now.Add(-3 * oplogDay), end, now.Add(-3 * oplogDay).Unix()},
		{"7d is one window", oplogRange{Since: 7 * oplogDay, HasSince: true}, wecom.MaxOperLogSpan, 1, now.Add(-7 * oplogDay), end, now.Add(-7 * oplogDay).Unix()},
		{"8d", oplogRange{Since: 8 * oplogDay, HasSince: true}, wecom.MaxOperLogSpan, 2, now.Add(-8 * oplogDay), end, end.Add(-7 * oplogDay).Unix()},
		{"30d", oplogRange{Since: 30 * oplogDay, HasSince: true}, wecom.MaxOperLogSpan, 5, now.Add(-30 * oplogDay), end, end.Add(-7 * oplogDay).Unix()},
		{"30d in 14-day windows", oplogRange{Since: 30 * oplogDay, HasSince: true}, wecom.MaxFileRecordSpan, 3, now.Add(-30 * oplogDay), end, end.Add(-14 * oplogDay).Unix()},
		{"200d in 14-day windows", oplogRange{Since: 200 * oplogDay, HasSince: true}, wecom.MaxFileRecordSpan, 15, now.Add(-200 * oplogDay), end, end.Add(-14 * oplogDay).Unix()},
		{"default is 7d", oplogRange{}, wecom.MaxOperLogSpan, 1, now.Add(-defaultSince), end, now.Add(-7 * oplogDay).Unix()},
		{"--from/--to dates cover whole days", oplogRange{From: "2026-11-01", To: "2026-11-15"}, wecom.MaxOperLogSpan, 3,
			time.Date(2026, 11, 1, 0, 0, 0, 0, replies.China), time.Date(2026, 11, 15, 23, 59, 59, 0, replies.China),
			time.Date(2026, 11, 15, 23, 59, 59, 0, replies.China).Add(-7 * oplogDay).Unix()},
		{"--to with a time of day is exact", oplogRange{From: "2026-11-19", To: "2026-11-19 12:30"}, wecom.MaxOperLogSpan, 1,
			time.Date(2026, 11, 19, 0, 0, 0, 0, replies.China), time.Date(2026, 11, 19, 12, 30, 0, 0, replies.China),
			time.Date(2026, 11, 19, 0, 0, 0, 0, replies.China).Unix()},
		{"--from alone runs to now", oplogRange{From: "2026-11-18"}, wecom.MaxOperLogSpan, 1,
			time.Date(2026, 11, 18, 0, 0, 0, 0, replies.China), end, time.Date(2026, 11, 18, 0, 0, 0, 0, replies.China).Unix()},
		{"--to today is capped at now", oplogRange{From: "2026-11-10", To: "2026-11-20"}, wecom.MaxOperLogSpan, 2,
			time.Date(2026, 11, 10, 0, 0, 0, 0, replies.China), end, end.Add(-7 * oplogDay).Unix()},
		{"--to in the future is capped at now", oplogRange{From: "2026-11-19", To: "2027-01-01"}, wecom.MaxOperLogSpan, 1,
			time.Date(2026, 11, 19, 0, 0, 0, 0, replies.China), end, time.Date(2026, 11, 19, 0, 0, 0, 0, replies.China).Unix()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := tc.r.resolve(oplogNow, replies.China, defaultSince)
			if err != nil {
				t.Fatalf("resolve(%+v) error: %v", tc.r, err)
			}
			if !from.Equal(tc.from) || !to.Equal(tc.to) {
				t.Fatalf("resolve(%+v) = %v → %v; want %v → %v", tc.r, from, to, tc.from, tc.to)
			}
			ws := oplogWindows(from, to, tc.span)
			if len(ws) != tc.want {
				t.Fatalf("oplogWindows = %d windows %+v; want %d", len(ws), ws, tc.want)
			}
			if ws[0].Start != tc.first {
				t.Errorf("newest window starts %d; want %d", ws[0].Start, tc.first)
			}
			checkWindows(t, ws, from, to, tc.span)
		})
	}
}

func TestOplogWindows_empty(t *testing.T) {
	t.Parallel()
	if ws := oplogWindows(oplogNow, oplogNow, wecom.MaxOperLogSpan); ws != nil {
		t.Fatalf("an empty range = %+v; want no windows", ws)
	}
	if ws := oplogWindows(oplogNow, oplogNow.Add(-time.Hour), wecom.MaxOperLogSpan); ws != nil {
		t.Fatalf("an inverted range = %+v; want no windows", ws)
	}
	// One second is still a valid window (end > start).
	ws := oplogWindows(oplogNow.Add(-time.Second), oplogNow, wecom.MaxOperLogSpan)
	checkWindows(t, ws, oplogNow.Add(-time.Second).Truncate(time.Second), oplogNow.Truncate(time.Second), wecom.MaxOperLogSpan)
}

func TestOplogRange_errors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		r    oplogRange
		want string
	}{
		{oplogRange{Since: 3 * oplogDay, HasSince: true, From: "2026-11-01"}, "either --since or --from"},
		{oplogRange{To: "2026-11-01"}, "--to needs --from"},
		{oplogRange{From: "2026-11-15", To: "2026-11-01"}, "not before"},
		{oplogRange{From: "2026-12-01"}, "in the future"},
		{oplogRange{From: "yesterday"}, "--from"},
		{oplogRange{Since: 0, HasSince: true}, "--since must be longer"},
	} {
		_, _, err := tc.r.resolve(oplogNow, replies.China, defaultSince)
		if err == nil || bot.ErrorCode(err) != bot.EINVALID || !strings.Contains(bot.ErrorMessage(err), tc.want) {
			t.Errorf("resolve(%+v) = %v; want EINVALID mentioning %q", tc.r, err, tc.want)
		}
	}
}

func TestOplogBound(t *testing.T) {
	t.Parallel()
	now := oplogNow
	oldest := now.Truncate(time.Second).Add(-logHorizon)
	// Within the horizon: unchanged.
	if from, err := oplogBound(now.Add(-30*oplogDay), now, now, logHorizon, "member operation log", replies.China); err != nil || !from.Equal(now.Add(-30*oplogDay)) {
		t.Errorf("30 days back = %v, %v; want unchanged", from, err)
	}
	// Exactly at the horizon (--since 180d): moved just inside, so the oldest window is not refused when the
	// clock has moved on by the time it is read.
	from, err := oplogBound(oldest, now, now, logHorizon, "member operation log", replies.China)
	if err != nil || !from.Equal(oldest.Add(horizonMargin)) {
		t.Errorf("at the horizon = %v, %v; want %v", from, err, oldest.Add(horizonMargin))
	}
	// Beyond it: refused before any call, saying how far back WeCom goes.
	_, err = oplogBound(now.Add(-200*oplogDay), now, now, logHorizon, "member operation log", replies.China)
	// Messages are CommonMark with the values escaped: read them as the member does.
	if msg := replies.Text(bot.ErrorMessage(err)); err == nil || !strings.Contains(msg, "180 days") || !strings.Contains(msg, oldest.Format("2006-01-02")) {
		t.Errorf("200 days back = %v; want a refusal naming 180 days and %s", err, oldest.Format("2006-01-02"))
	}
	// No horizon (file records): any start, but at most maxRange at once.
	if _, err := oplogBound(now.Add(-200*oplogDay), now, now, 0, "file operation records", replies.China); err != nil {
		t.Errorf("files 200 days back: %v", err)
	}
	if _, err := oplogBound(now.Add(-401*oplogDay), now, now, 0, "file operation records", replies.China); err == nil {
		t.Errorf("files 401 days at once: no error; want one")
	}
}

func TestOplogParseKind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    string
		want wecom.MemberOperType
	}{
		{"new-device-login", wecom.MemberNewDeviceLogin},
		{"Lock-Device", wecom.MemberDeviceLocked},
		{"4", wecom.MemberNewDeviceLogin},
		{"新设备登录", wecom.MemberNewDeviceLogin},
		{"21", wecom.MemberDeviceLocked},
	} {
		got, err := parseKind("type", tc.v, memberTypes, false)
		if err != nil || got != tc.want {
			t.Errorf("parseKind(%q) = %v, %v; want %v", tc.v, got, err, tc.want)
		}
	}
	for _, v := range []string{"10", "0", "-4", "bogus", "", "设备"} {
		if got, err := parseKind("type", v, memberTypes, false); err == nil {
			t.Errorf("parseKind(%q) = %v; want an error (10 is not a documented member type)", v, got)
		} else if msg := replies.Text(bot.ErrorMessage(err)); !strings.Contains(msg, "new-device-login") {
			t.Errorf("parseKind(%q) error %q does not list the words", v, msg)
		}
	}
	// The admin log's types are known from one source: other numbers pass through to WeCom.
	if got, err := parseKind("type", "99", adminTypes, true); err != nil || got != 99 {
		t.Errorf("admin type 99 = %v, %v; want 99", got, err)
	}
	if got, err := parseKind("op", "download", fileOps, true); err != nil || got != wecom.FileDownload {
		t.Errorf("--op download = %v, %v", got, err)
	}
}

// fakeRec is a record for oplogCollect.
type fakeRec struct{ at int64 }

func TestOplogCollect(t *testing.T) {
	t.Parallel()
	to := oplogNow.Truncate(time.Second)
	from := to.Add(-10 * oplogDay)
	ws := oplogWindows(from, to, wecom.MaxOperLogSpan)
	boundary := ws[0].Start
	// WeCom's windows are inclusive at both ends: a record on the boundary comes back from both calls.
	data := []int64{from.Unix(), from.Unix() + 5, boundary - 1, boundary, boundary + 1, to.Unix()}
	walk := func(w oplogWindow) iter.Seq2[fakeRec, error] {
		return func(yield func(fakeRec, error) bool) {
			for _, at := range data { // oldest first, like WeCom
				if at >= w.Start && at <= w.End && !yield(fakeRec{at}, nil) {
					return
				}
			}
		}
	}
	recs, more, err := oplogCollect(context.Background(), ws, walk, func(r fakeRec) int64 { return r.at }, maxRecords)
	if err != nil || more {
		t.Fatalf("oplogCollect: %v, more %v", err, more)
	}
	var got []int64
	for _, r := range recs {
		got = append(got, r.at)
	}
	want := []int64{to.Unix(), boundary + 1, boundary, boundary - 1, from.Unix() + 5, from.Unix()}
	if len(got) != len(want) {
		t.Fatalf("records = %v; want each once, newest first: %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("records = %v; want %v", got, want)
		}
	}
}

func TestOplogCollect_bounded(t *testing.T) {
	t.Parallel()
	to := oplogNow.Truncate(time.Second)
	ws := oplogWindows(to.Add(-3*oplogDay), to, wecom.MaxOperLogSpan)
	calls := 0
	walk := func(w oplogWindow) iter.Seq2[fakeRec, error] {
		return func(yield func(fakeRec, error) bool) {
			for i := int64(0); i < maxRecords*2; i++ {
				calls++
				if !yield(fakeRec{w.End - i%1000}, nil) {
					return
				}
			}
		}
	}
	recs, more, err := oplogCollect(context.Background(), ws, walk, func(r fakeRec) int64 { return r.at }, maxRecords)
	if err != nil || !more || len(recs) != maxRecords {
		t.Fatalf("oplogCollect = %d records, more %v, %v; want %d and more", len(recs), more, err, maxRecords)
	}
	if calls > maxRecords+1 {
		t.Fatalf("read %d records; want it to stop right after the bound", calls)
	}
	for i := 1; i < len(recs); i++ {
		if recs[i].at > recs[i-1].at {
			t.Fatalf("records not newest first at %d", i)
		}
	}
}
