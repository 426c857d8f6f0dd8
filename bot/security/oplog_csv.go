package security

// /oplog … --csv: the same records as the command reads, every one of them up to the engine's limit, one row
// each, with WeCom's fields as they came (no markdown) and times in the corp's zone.

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/wecombot/wecombot/bot/commands"
	"github.com/wecombot/wecombot/bot/i18n"
)

func (d Deps) csvWhen(unix int64) string {
	return time.Unix(unix, 0).In(d.loc()).Format(commands.CSVTime)
}

// Column names (message ids).
var (
	colTime       = i18n.N("Time")
	colMember     = i18n.N("Member")
	colAdmin      = i18n.N("Admin")
	colOperation  = i18n.N("Operation")
	colTypeCode   = i18n.N("Type code")
	colDetail     = i18n.N("Detail")
	colIP         = i18n.N("IP")
	colExternal   = i18n.N("External user")
	colCorp       = i18n.N("External corp")
	colSource     = i18n.N("Source")
	colFile       = i18n.N("File")
	colSize       = i18n.N("Size (bytes)")
	colMD5        = i18n.N("MD5")
	colApplicant  = i18n.N("Applicant")
	colDeviceType = i18n.N("Device type")
	colDeviceCode = i18n.N("Device code")
	colDepartment = i18n.N("Department")
	colContent    = i18n.N("Content")
	colSystem     = i18n.N("System")
)

func (d Deps) oplogMemberCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	q, err := operRecords(ctx, d, inv, "member", memberTypes, false, d.Client.Security.AllMemberOperLogs, memberRow, limit)
	if err != nil {
		return nil, err
	}
	return d.operTable(inv, "oplog-member", colMember, q), nil
}

func (d Deps) oplogAdminCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	q, err := operRecords(ctx, d, inv, "admin", adminTypes, true, d.Client.Security.AllAdminOperLogs, adminRow, limit)
	if err != nil {
		return nil, err
	}
	return d.operTable(inv, "oplog-admin", colAdmin, q), nil
}

// operTable is a member or admin log as a table. The kind is written in words and as WeCom's number, so a
// file can be filtered either way.
func (d Deps) operTable(inv *commands.Invocation, name, who string, q *oplogQuery[operRow]) *commands.Table {
	t := &commands.Table{Name: name, More: q.more,
		Header: commands.Header(inv.P, colTime, who, colOperation, colTypeCode, colDetail, colIP)}
	for _, r := range q.recs {
		t.Rows = append(t.Rows, []string{d.csvWhen(r.Time), r.UserID, inv.P.T(r.Kind), strconv.Itoa(r.Code), r.Detail, r.IP})
	}
	return t
}

func (d Deps) oplogFilesCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	q, err := d.fileRecords(ctx, inv, limit)
	if err != nil {
		return nil, err
	}
	p := inv.P
	t := &commands.Table{Name: "oplog-files", More: q.more,
		Header: commands.Header(p, colTime, colMember, colExternal, colCorp, colOperation, colSource, colFile, colSize, colMD5,
			colApplicant, colDeviceType, colDeviceCode)}
	for _, r := range q.recs {
		var ext, corp, source, size, dev string
		if r.ExternalUser != nil {
			ext, corp = r.ExternalUser.Name, r.ExternalUser.CorpName
		}
		if r.Operation.Source != 0 {
			source = Label(p, r.Operation.Source)
		}
		if r.FileSize > 0 {
			size = strconv.FormatInt(r.FileSize, 10)
		}
		if r.DeviceType != 0 {
			dev = strconv.Itoa(r.DeviceType)
		}
		t.Rows = append(t.Rows, []string{d.csvWhen(r.Time), r.UserID, ext, corp, Label(p, r.Operation.Type), source,
			r.FileInfo, size, r.FileMD5, r.ApplicantName, dev, r.DeviceCode})
	}
	return t, nil
}

func (d Deps) oplogScreenCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	q, err := d.screenRecords(ctx, inv, limit)
	if err != nil {
		return nil, err
	}
	p := inv.P
	t := &commands.Table{Name: "oplog-screen", More: q.more,
		Header: commands.Header(p, colTime, colMember, colDepartment, colOperation, colContent, colSystem)}
	for _, r := range q.recs {
		dept := ""
		if r.DepartmentID != 0 {
			dept = strconv.Itoa(r.DepartmentID)
		}
		t.Rows = append(t.Rows, []string{d.csvWhen(r.Time), r.UserID, dept, Label(p, r.ScreenShotType), r.ScreenShotContent, r.System})
	}
	return t, nil
}

// Device columns (message ids).
var (
	colDeviceList = i18n.N("List")
	colStatus     = i18n.N("Status")
	colLastLogin  = i18n.N("Last login")
	colLastUser   = i18n.N("Last login member")
	colApplied    = i18n.N("Applied")
	colAppliedBy  = i18n.N("Applied by")
	colApprovedBy = i18n.N("Approved by")
	colMAC        = i18n.N("MAC addresses")
	colSerial     = i18n.N("Serial number")
	colPCName     = i18n.N("Computer name")
	colDomain     = i18n.N("Domain")
	colBoard      = i18n.N("Motherboard UUID")
	colDisks      = i18n.N("Disk UUIDs")
)

// devCSV is /devices [list] --csv: every device of the list with all the fields WeCom gives.
func (d Deps) devCSV(ctx context.Context, inv *commands.Invocation, limit int) (*commands.Table, error) {
	devs, capped, _, _, title, err := d.devSelect(ctx, inv, limit)
	if err != nil {
		return nil, err
	}
	p := inv.P
	which := listWord(inv.Arg("list"))
	if which == "" {
		which = "trusted"
	}
	t := &commands.Table{Name: "devices-" + which, More: capped,
		Header: commands.Header(p, colDeviceCode, colDeviceList, colStatus, colSystem, colLastLogin, colLastUser, colApplied,
			colAppliedBy, colApprovedBy, colMAC, colSerial, colPCName, colDomain, colBoard, colDisks)}
	when := func(unix int64) string {
		if unix == 0 {
			return ""
		}
		return d.csvWhen(unix)
	}
	for _, dev := range devs {
		t.Rows = append(t.Rows, []string{dev.DeviceCode, p.T(title), Label(p, dev.Status), dev.System, when(dev.LastLoginTime),
			dev.LastLoginUserID, when(dev.ConfirmTimestamp), dev.ConfirmUserID, dev.ApprovedUserID,
			strings.Join(dev.MacAddr, " "), dev.SeqNo, dev.PCName, dev.Domain, dev.MotherboardUUID, strings.Join(dev.HarddiskUUID, " ")})
	}
	return t, nil
}
