package alerts

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/wecombot/wecombot/bot/i18n"
	"github.com/wecombot/wecombot/db"
	"github.com/wecombot/wecombot/wecom"
)

// An alert's one-line summary is written twice from the same record: in English when the alert is found (the
// stored Summary: the trail, the CSV's fallback, a record that can no longer be read), and in each reader's
// language where it is shown (SummaryIn), from the record WeCom gave, which the alert keeps (Detail).

// SummaryIn is the alert's summary in p's language, rebuilt from the record it keeps; the stored English
// summary when the record cannot be read.
func SummaryIn(p *i18n.Printer, a *db.Alert) string {
	if p == nil || !p.Zh() {
		return a.Summary
	}
	if s, ok := summarize(p, a.Source, []byte(a.Detail)); ok {
		return s
	}
	return a.Summary
}

// summarize writes the summary of a record of source given as WeCom's JSON, in p's language (nil: English).
func summarize(p *i18n.Printer, source string, detail []byte) (string, bool) {
	switch source {
	case SourceMemberLog:
		var l wecom.MemberOperLog
		if json.Unmarshal(detail, &l) != nil {
			return "", false
		}
		return operSummary(p, false, l.UserID, l.OperType, l.DetailInfo, l.IP), true
	case SourceAdminLog:
		var l wecom.AdminOperLog
		if json.Unmarshal(detail, &l) != nil {
			return "", false
		}
		return operSummary(p, true, l.UserID, l.OperType, l.DetailInfo, l.IP), true
	case SourceFiles:
		var r wecom.FileOperRecord
		if json.Unmarshal(detail, &r) != nil {
			return "", false
		}
		return fileSummary(p, r), true
	case SourceDevices:
		var d wecom.Device
		if json.Unmarshal(detail, &d) != nil {
			return "", false
		}
		return deviceSummary(p, d), true
	}
	return "", false
}

// operSummary: "lisi logged in on a new device (新设备登录): Windows PC (IP 1.2.3.*)"; in Chinese
// "lisi 新设备登录：Windows PC（IP 1.2.3.*）". The detail loses the label its kind already shows.
func operSummary(p *i18n.Printer, admin bool, userID string, kind fmt.Stringer, detail, ip string) string {
	who, k := orUnknown(p, userID), p.T(kind.String())
	s := p.Sprintf("%[1]s %[2]s", who, k)
	if admin {
		s = p.Sprintf("%[1]s (admin) %[2]s", who, k)
	}
	if detail = wecom.TrimLabel(kind.String(), detail); detail != "" {
		s += p.Colon() + detail
	}
	if ip != "" {
		s += p.Paren("IP " + ip)
	}
	return s
}

// fileSummary: "lisi download (下载) a.pdf in chat (聊天) (3.0 MB)"; in Chinese "lisi 下载 a.pdf（聊天，3.0 MB）".
func fileSummary(p *i18n.Printer, r wecom.FileOperRecord) string {
	who := r.UserID
	if who == "" && r.ExternalUser != nil {
		who = p.Sprintf("external %s", r.ExternalUser.Name)
		if r.ExternalUser.CorpName != "" {
			who += p.Paren(r.ExternalUser.CorpName)
		}
	}
	s := p.Sprintf("%[1]s %[2]s", orUnknown(p, who), p.T(r.Operation.Type.String()))
	if r.FileInfo != "" {
		s += " " + r.FileInfo
	}
	var where []string
	if r.Operation.Source != 0 {
		where = append(where, p.T(r.Operation.Source.String()))
	}
	if r.FileSize > 0 {
		where = append(where, humanBytes(r.FileSize))
	}
	switch len(where) {
	case 2:
		s += p.Sprintf(" in %[1]s (%[2]s)", where[0], where[1])
	case 1:
		if r.Operation.Source != 0 {
			s += p.Sprintf(" in %s", where[0])
		} else {
			s += p.Paren(where[0])
		}
	}
	return s
}

// deviceSummary: "Windows unknown device awaiting approval dev1 (PC-1) last used by lisi: awaiting …".
func deviceSummary(p *i18n.Printer, d wecom.Device) string {
	name := d.PCName
	if name == "" {
		name = d.SeqNo
	}
	what := p.T("device")
	if d.Status == wecom.DeviceAwaitingCorpConfirmation || d.Status == wecom.DeviceAwaitingPersonalConfirm {
		what = p.T("unknown device awaiting approval")
	}
	s := p.Sprintf("%[1]s %[2]s %[3]s", strings.TrimSpace(d.System), what, d.DeviceCode)
	if name != "" {
		s += p.Paren(name)
	}
	if d.LastLoginUserID != "" {
		s += p.Sprintf(" last used by %s", d.LastLoginUserID)
	}
	return s + p.Colon() + p.T(d.Status.String())
}

func orUnknown(p *i18n.Printer, s string) string {
	if s == "" {
		return p.T("(unknown)")
	}
	return s
}
