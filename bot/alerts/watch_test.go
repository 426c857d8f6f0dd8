package alerts

import (
	"fmt"
	"testing"
	"time"

	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

func TestWindows(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 0)
	sec := func(d time.Duration) int64 { return int64(d / time.Second) }
	n := now.Unix()
	day := 24 * time.Hour
	cursor := func(readTo, origin time.Duration) *db.AlertCursor {
		return &db.AlertCursor{ReadTo: now.Add(-readTo), Origin: now.Add(-origin)}
	}
	tests := []struct {
		name     string
		cur      *db.AlertCursor
		interval time.Duration
		maxSpan  time.Duration
		horizon  time.Duration
		want     []span
	}{
		{"first poll reads one interval, not history", nil, time.Minute, wecom.MaxOperLogSpan, logHorizon,
			[]span{{n - 60, n - 5}}},
		{"first poll with a short interval still reads a second", nil, 200 * time.Millisecond, wecom.MaxOperLogSpan, logHorizon,
			[]span{{n - 2, n - 1}}},
		{"next poll re-reads the overlap", cursor(time.Hour, 2*time.Hour), time.Minute, wecom.MaxOperLogSpan, logHorizon,
			[]span{{n - 3600 + 1 - sec(overlap), n - 5}}},
		{"but never before the first window", cursor(time.Minute, 2*time.Minute), time.Minute, wecom.MaxOperLogSpan, logHorizon,
			[]span{{n - 120, n - 5}}},
		{"a long outage is read in 7-day pieces", cursor(10*day, 30*day), time.Minute, wecom.MaxOperLogSpan, logHorizon,
			[]span{{n - sec(10*day) + 1 - sec(overlap), n - sec(3*day) + 1 - sec(overlap)}, {n - sec(3*day) + 2 - sec(overlap), n - 5}}},
		{"file records in 14-day pieces", cursor(20*day, 30*day), time.Minute, wecom.MaxFileRecordSpan, 0,
			[]span{{n - sec(20*day) + 1 - sec(overlap), n - sec(6*day) + 1 - sec(overlap)}, {n - sec(6*day) + 2 - sec(overlap), n - 5}}},
		{"nothing older than WeCom keeps", cursor(200*day, 300*day), time.Minute, wecom.MaxOperLogSpan, logHorizon,
			nil}, // checked below: starts at the horizon
		{"nothing new yet", cursor(4*time.Second, 4*time.Second), 10 * time.Second, wecom.MaxOperLogSpan, logHorizon, nil},
	}
	for _, tt := range tests {
		got := windows(tt.cur, now, tt.interval, tt.maxSpan, tt.horizon)
		for _, w := range got {
			if w.end <= w.start || w.end-w.start > sec(tt.maxSpan) || w.end >= n {
				t.Errorf("%s: window %v breaks WeCom's rules (end > start, span ≤ %v, end < now)", tt.name, w, tt.maxSpan)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].start != got[i-1].end+1 {
				t.Errorf("%s: windows %v and %v leave a gap or overlap", tt.name, got[i-1], got[i])
			}
		}
		if tt.name == "nothing older than WeCom keeps" {
			if len(got) == 0 || got[0].start != now.Add(-logHorizon).Unix() || got[len(got)-1].end != n-5 {
				t.Errorf("%s: windows = %v; want from the horizon to now-5s", tt.name, got)
			}
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: windows = %v; want %v", tt.name, got, tt.want)
		}
	}
}
