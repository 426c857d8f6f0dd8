package emulator

import (
	"reflect"
	"testing"
	"time"
)

// admDaysCovered counts the distinct days (counted back from now) that have a record.
func admDaysCovered(now time.Time, times []time.Time) int {
	days := map[int]bool{}
	for _, t := range times {
		days[int(now.Sub(t)/(24*time.Hour))] = true
	}
	return len(days)
}

func TestAdminSeedLogsSpreadOverTheLast40Days(t *testing.T) {
	e := newAdmEnv(t)
	now := e.now()
	e.withAdmin(func(_ *Org, a *adminState) {
		check := func(name string, times []time.Time, min int) {
			t.Helper()
			if len(times) < min {
				t.Errorf("%s: %d rows, want at least %d", name, len(times), min)
			}
			for i, tm := range times {
				if tm.After(now) || tm.Before(now.Add(-41*24*time.Hour)) {
					t.Errorf("%s: row at %v outside the last 40 days", name, tm)
				}
				if i > 0 && tm.Before(times[i-1]) {
					t.Errorf("%s: rows out of order at %d", name, i)
				}
			}
			if d := admDaysCovered(now, times); d < 38 {
				t.Errorf("%s: rows on %d days, want nearly every day of 40", name, d)
			}
		}
		var mt, at, ft, st []time.Time
		memberOps, adminOps, fileTypes, fileSources := map[int]bool{}, map[int]bool{}, map[int]bool{}, map[int]bool{}
		external := 0
		for _, r := range a.memberLogs {
			mt = append(mt, r.Time)
			memberOps[r.OperType] = true
			if r.IP == "" || r.DetailInfo == "" {
				t.Errorf("member log without ip or detail: %+v", r)
			}
		}
		for _, r := range a.adminLogs {
			at = append(at, r.Time)
			adminOps[r.OperType] = true
			if r.DetailType == 0 {
				t.Errorf("admin log without detail_type: %+v", r)
			}
		}
		for _, r := range a.fileRecords {
			ft = append(ft, r.Time)
			fileTypes[r.OperType], fileSources[r.OperSource] = true, true
			if r.ExternalUser != nil {
				external++
			}
		}
		for _, r := range a.screenRecords {
			st = append(st, r.Time)
		}
		check("member logs", mt, 250)
		check("admin logs", at, 120)
		check("file records", ft, 150)
		check("screen records", st, 80)
		for _, op := range []int{1, 4, 21} {
			if !memberOps[op] {
				t.Errorf("no member log of oper_type %d", op)
			}
		}
		if !adminOps[2] || !adminOps[3] {
			t.Errorf("admin oper_types %v", adminOps)
		}
		for _, typ := range []int{101, 103, 112, 113, 10001} {
			if !fileTypes[typ] {
				t.Errorf("no file record of type %d", typ)
			}
		}
		for src := 401; src <= 405; src++ {
			if !fileSources[src] {
				t.Errorf("no file record from source %d", src)
			}
		}
		if external == 0 {
			t.Error("no file record with an external_user")
		}
		if len(a.domains) == 0 || len(a.ips) == 0 || len(a.tmpIDs) < 5 {
			t.Errorf("domains %d ips %d tmp ids %d", len(a.domains), len(a.ips), len(a.tmpIDs))
		}
	})
}

func TestAdminSeedIsDeterministic(t *testing.T) {
	a := New(Options{Now: func() time.Time { return admEpoch }})
	b := New(Options{Now: func() time.Time { return admEpoch }})
	var x, y *adminState
	a.WithOrg(func(o *Org) { x = o.admin })
	b.WithOrg(func(o *Org) { y = o.admin })
	if !reflect.DeepEqual(x.memberLogs, y.memberLogs) || !reflect.DeepEqual(x.fileRecords, y.fileRecords) ||
		!reflect.DeepEqual(x.devices, y.devices) {
		t.Error("two emulators started at the same time seeded different data")
	}
	// Seeded relative to the clock: a later start shifts every row.
	c := New(Options{Now: func() time.Time { return admEpoch.Add(72 * time.Hour) }})
	c.WithOrg(func(o *Org) {
		if got, want := o.admin.memberLogs[0].Time, x.memberLogs[0].Time.Add(72*time.Hour); !got.Equal(want) {
			t.Errorf("first row at %v, want %v", got, want)
		}
	})
}

func TestAdminSeedRoster(t *testing.T) {
	e := newAdmEnv(t)
	e.withAdmin(func(o *Org, a *adminState) {
		custom := false
		for _, g := range a.hrGroups {
			for _, f := range g.Fields {
				custom = custom || f.ID >= 20000
				if f.FieldType == 2 && len(f.Options) == 0 {
					t.Errorf("option field %d without options", f.ID)
				}
			}
		}
		if !custom {
			t.Error("no custom field (fieldid ≥ 20000)")
		}
		for _, m := range o.Members {
			r := a.staff[m.UserID]
			if r == nil || r.single[11001].Str != m.Name || r.single[11003].Mobile != m.Mobile || len(r.groups[4]) == 0 {
				t.Errorf("roster of %s: %+v", m.UserID, r)
			}
		}
	})
}
