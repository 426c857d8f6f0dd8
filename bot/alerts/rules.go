package alerts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/config"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// Sources a rule reads (config.Rule.Source).
const (
	SourceMemberLog = "member_oper_log"
	SourceAdminLog  = "admin_oper_log"
	SourceFiles     = "file_oper_record"
	SourceDevices   = "devices"
)

var sources = []string{SourceMemberLog, SourceAdminLog, SourceFiles, SourceDevices}

// Severities.
const (
	SevInfo     = "info"
	SevWarning  = "warning"
	SevCritical = "critical"
)

func sevRank(s string) int {
	switch s {
	case SevCritical:
		return 2
	case SevWarning:
		return 1
	}
	return 0
}

// defaultDeviceStatus is what a devices rule without device_status watches: devices awaiting an admin's
// confirmation, as an enterprise (3) or a personal (4) device.
var defaultDeviceStatus = []int{int(wecom.DeviceAwaitingCorpConfirmation), int(wecom.DeviceAwaitingPersonalConfirm)}

// ruleNameRE is what a rule name may be: it travels in card button keys and /silence arguments.
var ruleNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// rule is a config rule with its filters as sets.
type rule struct {
	config.Rule
	operTypes, fileOps, fileSources, deviceStatus map[int]bool
}

func set(vs []int) map[int]bool {
	if len(vs) == 0 {
		return nil
	}
	m := make(map[int]bool, len(vs))
	for _, v := range vs {
		m[v] = true
	}
	return m
}

// in reports whether v is in s; a nil set holds everything.
func in(s map[int]bool, v int) bool { return s == nil || s[v] }

// compileRules checks the rules beyond what config validates and returns them ready to match.
func compileRules(cfg config.Alerts) ([]*rule, error) {
	var out []*rule
	seen := map[string]bool{}
	for i, r := range cfg.Rules {
		where := fmt.Sprintf("alerts.rules[%d] (%s)", i, r.Name)
		switch {
		case !ruleNameRE.MatchString(r.Name):
			return nil, fmt.Errorf("%s: a rule name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it is used in /silence and on card buttons)", where)
		case seen[r.Name]:
			return nil, fmt.Errorf("%s: another rule has the same name; names must be unique", where)
		case !slices.Contains(sources, r.Source):
			return nil, fmt.Errorf("%s: source must be one of %s", where, strings.Join(sources, ", "))
		}
		seen[r.Name] = true
		if _, ok := cfg.Teams[r.Team]; !ok {
			return nil, fmt.Errorf("%s: no team %q in [alerts.teams]", where, r.Team)
		}
		switch r.Severity {
		case SevInfo, SevWarning, SevCritical:
		default:
			return nil, fmt.Errorf("%s: severity must be info, warning or critical", where)
		}
		if len(r.OperTypes) > 0 && r.Source != SourceMemberLog && r.Source != SourceAdminLog {
			return nil, fmt.Errorf("%s: oper_types applies to member_oper_log and admin_oper_log rules only", where)
		}
		if (len(r.FileOps) > 0 || len(r.FileSources) > 0) && r.Source != SourceFiles {
			return nil, fmt.Errorf("%s: file_ops and file_sources apply to file_oper_record rules only", where)
		}
		if len(r.DeviceStatus) > 0 && r.Source != SourceDevices {
			return nil, fmt.Errorf("%s: device_status applies to devices rules only", where)
		}
		for _, st := range r.DeviceStatus {
			if st < 1 || st > 6 {
				return nil, fmt.Errorf("%s: device_status %d is not a device status (1 to 6; 3 and 4 await an admin's confirmation)", where, st)
			}
		}
		for _, src := range r.FileSources {
			if src < 401 || src > 405 {
				return nil, fmt.Errorf("%s: file_sources %d is not a file source (401 chat, 402 mail, 403 docs, 404 drive, 405 schedule)", where, src)
			}
		}
		// A number WeCom does not document would match nothing, silently: say which numbers there are.
		for _, t := range r.OperTypes {
			if r.Source == SourceMemberLog && !wecom.MemberOperType(t).Known() {
				return nil, fmt.Errorf("%s: oper_types %d is not a member operation type; they are %s", where, t, enumList(wecom.MemberOperTypes()))
			}
			if r.Source == SourceAdminLog && !wecom.AdminOperType(t).Known() {
				return nil, fmt.Errorf("%s: oper_types %d is not an admin operation type; they are %s", where, t, enumList(wecom.AdminOperTypes()))
			}
		}
		for _, t := range r.FileOps {
			if !wecom.FileOperType(t).Known() {
				return nil, fmt.Errorf("%s: file_ops %d is not a file operation type; they are %s", where, t, enumList(wecom.FileOperTypes()))
			}
		}
		cr := &rule{Rule: r, operTypes: set(r.OperTypes), fileOps: set(r.FileOps), fileSources: set(r.FileSources),
			deviceStatus: set(r.DeviceStatus)}
		if r.Source == SourceDevices && cr.deviceStatus == nil {
			cr.deviceStatus = set(defaultDeviceStatus)
		}
		out = append(out, cr)
	}
	return out, nil
}

// record is one security record in the shape the rules read.
type record struct {
	Source   string
	Time     time.Time
	UserID   string
	Kind     string // what kind of record, for repeat detection: "4", "103/401", "status 3"
	Summary  string // one line for people, unescaped
	Detail   string // the record as WeCom gave it (JSON)
	Key      string // stable identity: a hash of the fields (and, for identical records, which one)
	OperType int    // member and admin logs
	FileOp   int    // file records
	FileSrc  int
	Status   int // devices
}

// matches reports whether the rule alerts on rec.
func (r *rule) matches(rec *record) bool {
	if rec.Source != r.Source {
		return false
	}
	switch r.Source {
	case SourceMemberLog, SourceAdminLog:
		return in(r.operTypes, rec.OperType)
	case SourceFiles:
		return in(r.fileOps, rec.FileOp) && in(r.fileSources, rec.FileSrc)
	case SourceDevices:
		return in(r.deviceStatus, rec.Status)
	}
	return false
}

// match returns the alerts the rules raise for the records: one per matching rule and record.
func match(rules []*rule, recs []*record) []*db.Alert {
	var out []*db.Alert
	for _, rec := range recs {
		for _, r := range rules {
			if !r.matches(rec) {
				continue
			}
			out = append(out, &db.Alert{Rule: r.Name, Key: rec.Key, Source: rec.Source, Team: r.Team,
				Severity: r.Severity, UserID: rec.UserID, Kind: rec.Kind, Summary: rec.Summary, Detail: rec.Detail,
				RecordAt: rec.Time})
		}
	}
	return out
}

// keyer gives records stable keys: a hash of the source and the record's JSON, and, for records identical in
// every field (which WeCom does not tell apart), the position among them. Identical records have the same
// time, so a window either holds all of them or none, and the positions repeat when a window is read again.
type keyer struct{ seen map[string]int }

func newKeyer() *keyer { return &keyer{seen: map[string]int{}} }

func (k *keyer) key(source string, detail []byte) string {
	h := sha256.New()
	h.Write([]byte(source))
	h.Write([]byte{0})
	h.Write(detail)
	sum := hex.EncodeToString(h.Sum(nil))[:40]
	n := k.seen[sum]
	k.seen[sum] = n + 1
	if n == 0 {
		return sum
	}
	return sum + "#" + strconv.Itoa(n)
}

func memberRecord(k *keyer, l wecom.MemberOperLog) *record {
	return operRecord(k, SourceMemberLog, false, l, l.Time, l.UserID, l.OperType, int(l.OperType), l.DetailInfo, l.IP)
}

func adminRecord(k *keyer, l wecom.AdminOperLog) *record {
	return operRecord(k, SourceAdminLog, true, l, l.Time, l.UserID, l.OperType, int(l.OperType), l.DetailInfo, l.IP)
}

// operRecord builds the record of a member or admin log entry; the two logs differ only in type and label.
func operRecord(k *keyer, source string, admin bool, raw any, at int64, userID string, kind fmt.Stringer, operType int, detail, ip string) *record {
	b, _ := json.Marshal(raw)
	return &record{Source: source, Time: time.Unix(at, 0), UserID: userID, Kind: strconv.Itoa(operType),
		Summary: operSummary(nil, admin, userID, kind, detail, ip), Detail: string(b), Key: k.key(source, b), OperType: operType}
}

func fileRecord(k *keyer, r wecom.FileOperRecord) *record {
	b, _ := json.Marshal(r)
	return &record{Source: SourceFiles, Time: time.Unix(r.Time, 0), UserID: r.UserID,
		Kind: fmt.Sprintf("%d/%d", r.Operation.Type, r.Operation.Source), Summary: fileSummary(nil, r), Detail: string(b),
		Key: k.key(SourceFiles, b), FileOp: int(r.Operation.Type), FileSrc: int(r.Operation.Source)}
}

// deviceRecord describes a device in its current state. A device is a state, not an event: its key is its
// code and status, so it alerts once per status it reaches.
func deviceRecord(d wecom.Device, now time.Time) *record {
	b, _ := json.Marshal(d)
	at := now
	switch {
	case d.ConfirmTimestamp > 0:
		at = time.Unix(d.ConfirmTimestamp, 0)
	case d.LastLoginTime > 0:
		at = time.Unix(d.LastLoginTime, 0)
	}
	user := d.ConfirmUserID
	if user == "" {
		user = d.LastLoginUserID
	}
	return &record{Source: SourceDevices, Time: at, UserID: user, Kind: "status " + strconv.Itoa(int(d.Status)),
		Summary: deviceSummary(nil, d), Detail: string(b), Key: "device:" + d.DeviceCode + ":" + strconv.Itoa(int(d.Status)), Status: int(d.Status)}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// deviceTypes are the device lists holding devices in the statuses the rules watch: status 1 and 5 are on
// the trusted enterprise list, 2 to 4 on the unknown list, 6 on the trusted personal list.
func deviceTypes(rules []*rule) []wecom.DeviceType {
	want := map[wecom.DeviceType]bool{}
	for _, r := range rules {
		if r.Source != SourceDevices {
			continue
		}
		for st := range r.deviceStatus {
			switch st {
			case 1, 5:
				want[wecom.DeviceTrustedCorp] = true
			case 2, 3, 4:
				want[wecom.DeviceUnknown] = true
			case 6:
				want[wecom.DeviceTrustedPersonal] = true
			}
		}
	}
	var out []wecom.DeviceType
	for _, t := range []wecom.DeviceType{wecom.DeviceTrustedCorp, wecom.DeviceUnknown, wecom.DeviceTrustedPersonal} {
		if want[t] {
			out = append(out, t)
		}
	}
	return out
}

// enumList names an enum's values for an error: "4 logged in on a new device (新设备登录), 13 …".
func enumList[T interface {
	~int
	String() string
}](vs []T) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = fmt.Sprintf("%d %s", int(v), v)
	}
	return strings.Join(out, ", ")
}
