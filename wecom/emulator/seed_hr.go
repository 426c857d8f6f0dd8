package emulator

// The seeded HR roster (hr/*): every visible member's 花名册 values.

import (
	"fmt"
	"strings"
	"time"
)

func seedStaff(a *adminState, o *Org, now time.Time) {
	positions := map[string]uint32{"安全负责人": 3, "研发经理": 3, "工程师": 4, "HRBP": 5, "测试工程师": 4, "安全工程师": 4, "财务": 5}
	schools := []string{"清华大学", "浙江大学", "复旦大学", "中山大学", "武汉大学", "南京大学", "四川大学"}
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for i, m := range o.Members {
		birth := date(1985+i*2, time.Month(1+i), 10+i)
		joined := now.AddDate(-1-i, -i, 0).Truncate(24 * time.Hour)
		firstJob := date(2008+i*2, 7, 1)
		gender := uint32(1)
		if m.Gender == "2" {
			gender = 2
		}
		status := uint32(2)
		if m.UserID == "sunqi" {
			status = 1
		}
		r := &staffRecord{single: map[int]hrValue{
			11001: {Str: m.Name},
			11002: {Str: strings.ToUpper(m.UserID[:1]) + m.UserID[1:]},
			11003: {CountryCode: "86", Mobile: m.Mobile},
			11004: {U32: gender},
			11005: {I64: birth.Unix()},
			11006: {Str: fmt.Sprint(admYearsBetween(birth, now))},
			11012: {Str: fmt.Sprintf("%d年", admYearsBetween(firstJob, now))},
			11020: {Str: m.UserID + "@personal.example.net"},
			12004: {U32: status},
			12010: {U32: positions[m.Position]},
			12018: {U64: uint64(joined.Unix())},
			12024: {Str: fmt.Sprintf("EMP%04d", i+1)},
			19001: {MediaIDs: []string{fmt.Sprintf("3aIDcard%02dfront", i+1), fmt.Sprintf("3aIDcard%02dback", i+1)}},
			19002: {MediaIDs: []string{fmt.Sprintf("3aDiploma%02d", i+1)}},
			20001: {Str: fmt.Sprintf("A-%d-%02d", 3+i%3, 10+i)},
			20002: {U32: uint32(1 + i%4)},
		}, groups: map[int][]map[int]hrValue{
			1: {{14001: {Str: schools[i%len(schools)]}, 14002: {U32: 1}, 14003: {U64: uint64(firstJob.Unix())}}},
			4: {{17001: {Str: string([]rune(m.Name)[:1]) + "家属"}, 17002: {U32: uint32(1 + i%4)},
				17003: {CountryCode: "86", Mobile: fmt.Sprintf("1390000%04d", i+1)}, 17004: {Str: "深圳市南山区"}}},
		}}
		if i%2 == 0 { // every other member has a master's degree too
			r.groups[1] = append(r.groups[1], map[int]hrValue{14001: {Str: schools[(i+3)%len(schools)]},
				14002: {U32: 2}, 14003: {U64: uint64(firstJob.AddDate(3, 0, 0).Unix())}})
		}
		a.staff[m.UserID] = r
	}
}

// admYearsBetween is a person's age in whole years at now.
func admYearsBetween(from, now time.Time) int {
	y := now.Year() - from.Year()
	if now.YearDay() < from.YearDay() {
		y--
	}
	return y
}
