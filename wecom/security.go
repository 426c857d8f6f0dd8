package wecom

import (
	"context"
	"fmt"
	"iter"
	"strings"
	"time"
)

// SecurityService is 安全管理: trusted devices, member and admin operation logs, file and screenshot records,
// and WeCom's domain/IP list. A self-built app must be in the matching 「…可调用接口的应用」 list in the admin
// console (errcode 48002 otherwise); 代开发 and third-party apps are not supported.
type SecurityService service

// Limits of the security APIs (wecom-protocol.md §5.1–5.2; DOC/100128).
const (
	MaxDevicesPerCall     = 100
	MaxDevicePageLimit    = 100
	MaxOperLogSpan        = 7 * 24 * time.Hour
	MaxOperLogLimit       = 400
	MaxFileRecordSpan     = 14 * 24 * time.Hour
	MaxFileRecordLimit    = 1000
	MaxScreenRecordSpan   = 14 * 24 * time.Hour
	MaxScreenRecordLimit  = 1000
	MaxRecordFilterIDs    = 100 // userid_list, department_id_list
	MaxDeviceMACAddresses = 100
)

// DeviceType is the list a device is on (security/trustdevice/list's type).
type DeviceType int

// Device lists.
const (
	DeviceTrustedCorp     DeviceType = 1
	DeviceUnknown         DeviceType = 2
	DeviceTrustedPersonal DeviceType = 3
)

var deviceTypeNames = map[DeviceType]string{
	DeviceTrustedCorp:     "trusted enterprise device (可信企业设备)",
	DeviceUnknown:         "unknown device (未知设备)",
	DeviceTrustedPersonal: "trusted personal device (可信个人设备)",
}

func (t DeviceType) String() string { return enumName("DeviceType", t, deviceTypeNames) }

func (t DeviceType) valid() bool { _, ok := deviceTypeNames[t]; return ok }

// DeviceSource is how a device got on the list.
type DeviceSource int

// Device sources.
const (
	DeviceSourceUnknown       DeviceSource = 0
	DeviceSourceMemberConfirm DeviceSource = 1
	DeviceSourceAdminImport   DeviceSource = 2
	DeviceSourceMemberDeclare DeviceSource = 3
)

var deviceSourceNames = map[DeviceSource]string{
	DeviceSourceUnknown:       "unknown (未知)",
	DeviceSourceMemberConfirm: "confirmed by member (成员确认)",
	DeviceSourceAdminImport:   "imported by admin (管理员导入)",
	DeviceSourceMemberDeclare: "declared by member (成员自主申报)",
}

func (s DeviceSource) String() string { return enumName("DeviceSource", s, deviceSourceNames) }

// DeviceStatus is a device's state. Only devices awaiting admin confirmation (3 and 4) can be approved or
// rejected. For 2, 4 and 6 WeCom masks MAC addresses, serial numbers and UUIDs.
type DeviceStatus int

// Device statuses.
const (
	DeviceImportedNotLoggedIn      DeviceStatus = 1
	DeviceAwaitingInvitation       DeviceStatus = 2
	DeviceAwaitingCorpConfirmation DeviceStatus = 3
	DeviceAwaitingPersonalConfirm  DeviceStatus = 4
	DeviceConfirmedCorp            DeviceStatus = 5
	DeviceConfirmedPersonal        DeviceStatus = 6
)

var deviceStatusNames = map[DeviceStatus]string{
	DeviceImportedNotLoggedIn:      "imported, not logged in yet (已导入未登录)",
	DeviceAwaitingInvitation:       "awaiting invitation (待邀请)",
	DeviceAwaitingCorpConfirmation: "awaiting admin confirmation as enterprise device (待管理员确认为企业设备)",
	DeviceAwaitingPersonalConfirm:  "awaiting admin confirmation as personal device (待管理员确认为个人设备)",
	DeviceConfirmedCorp:            "confirmed trusted enterprise device (已确认为可信企业设备)",
	DeviceConfirmedPersonal:        "confirmed trusted personal device (已确认为可信个人设备)",
}

func (s DeviceStatus) String() string { return enumName("DeviceStatus", s, deviceStatusNames) }

// Awaiting reports whether a device waits for an admin's confirmation (as an enterprise or a personal device):
// the only ones trustdevice/approve and reject take.
func (s DeviceStatus) Awaiting() bool {
	return s == DeviceAwaitingCorpConfirmation || s == DeviceAwaitingPersonalConfirm
}

// Device is a device on one of the trusted-device lists.
type Device struct {
	DeviceCode       string       `json:"device_code"`
	System           string       `json:"system"` // "Windows", "Mac", …
	MacAddr          []string     `json:"mac_addr"`
	MotherboardUUID  string       `json:"motherboard_uuid"`
	HarddiskUUID     []string     `json:"harddisk_uuid"`
	Domain           string       `json:"domain"`
	PCName           string       `json:"pc_name"`
	SeqNo            string       `json:"seq_no"`
	LastLoginTime    int64        `json:"last_login_time"`
	LastLoginUserID  string       `json:"last_login_userid"`
	ConfirmTimestamp int64        `json:"confirm_timestamp"`
	ConfirmUserID    string       `json:"confirm_userid"`
	ApprovedUserID   string       `json:"approved_userid"`
	Source           DeviceSource `json:"source"`
	Status           DeviceStatus `json:"status"`
}

// DeviceImport is a device to import as a trusted enterprise device: Windows devices need MacAddr, Macs SeqNo.
type DeviceImport struct {
	System          string   `json:"system"` // "Windows" or "Mac"
	MacAddr         []string `json:"mac_addr,omitempty"`
	MotherboardUUID string   `json:"motherboard_uuid,omitempty"`
	HarddiskUUID    []string `json:"harddisk_uuid,omitempty"`
	Domain          string   `json:"domain,omitempty"`
	PCName          string   `json:"pc_name,omitempty"`
	SeqNo           string   `json:"seq_no,omitempty"`
}

// ImportStatus is the outcome of importing one device.
type ImportStatus int

// Import outcomes.
const (
	ImportOK          ImportStatus = 1
	ImportDuplicate   ImportStatus = 2
	ImportUnsupported ImportStatus = 3
	ImportMalformed   ImportStatus = 4
)

var importStatusNames = map[ImportStatus]string{
	ImportOK:          "imported (成功)",
	ImportDuplicate:   "already imported (重复导入)",
	ImportUnsupported: "unsupported device (不支持的设备)",
	ImportMalformed:   "malformed data (数据格式错误)",
}

func (s ImportStatus) String() string { return enumName("ImportStatus", s, importStatusNames) }

// DeviceImportResult is the outcome for the device at DeviceIndex (1-based, in request order).
type DeviceImportResult struct {
	DeviceIndex          int          `json:"device_index"`
	DeviceCode           string       `json:"device_code"`
	Status               ImportStatus `json:"status"`
	DuplicatedDeviceCode string       `json:"duplicated_device_code"`
}

// ImportDevices imports up to 100 trusted enterprise devices.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/import
func (s *SecurityService) ImportDevices(ctx context.Context, devices []DeviceImport) ([]DeviceImportResult, error) {
	const op = "security/trustdevice/import"
	if err := checkCount(op, "device_list", len(devices), 1, MaxDevicesPerCall); err != nil {
		return nil, err
	}
	for i, d := range devices {
		field := fmt.Sprintf("device_list[%d]", i)
		switch d.System {
		case "Windows":
			if err := checkCount(op, field+".mac_addr", len(d.MacAddr), 1, MaxDeviceMACAddresses); err != nil {
				return nil, err
			}
		case "Mac":
			if d.SeqNo == "" {
				return nil, invalid(op, field+".seq_no", "required for a Mac")
			}
		case "":
			return nil, invalid(op, field+".system", "required")
		}
	}
	in := struct {
		DeviceList []DeviceImport `json:"device_list"`
	}{devices}
	var out struct {
		Result []DeviceImportResult `json:"result"`
	}
	if err := s.client.post(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return out.Result, nil
}

// ListDevicesOptions selects a page of one device list. Type is required; Limit 0 is WeCom's default (100).
type ListDevicesOptions struct {
	Type   DeviceType
	Cursor string
	Limit  int
}

// DevicePage is one page of a device list; NextCursor is empty on the last page.
type DevicePage struct {
	Devices    []Device
	NextCursor string
}

// ListDevices fetches one page of a device list.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/list
func (s *SecurityService) ListDevices(ctx context.Context, opts *ListDevicesOptions) (*DevicePage, error) {
	const op = "security/trustdevice/list"
	if opts == nil || !opts.Type.valid() {
		return nil, invalid(op, "type", "required: 1 trusted enterprise, 2 unknown, 3 trusted personal")
	}
	if err := checkLimit(op, opts.Limit, MaxDevicePageLimit); err != nil {
		return nil, err
	}
	in := struct {
		Cursor string     `json:"cursor,omitempty"`
		Limit  int        `json:"limit,omitempty"`
		Type   DeviceType `json:"type"`
	}{opts.Cursor, opts.Limit, opts.Type}
	var out struct {
		DeviceList []Device `json:"device_list"`
		NextCursor string   `json:"next_cursor"`
	}
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &DevicePage{Devices: out.DeviceList, NextCursor: out.NextCursor}, nil
}

// AllDevices walks every page of a device list.
func (s *SecurityService) AllDevices(ctx context.Context, typ DeviceType) iter.Seq2[Device, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]Device, string, bool, error) {
		p, err := s.ListDevices(ctx, &ListDevicesOptions{Type: typ, Cursor: cursor})
		if err != nil {
			return nil, "", false, err
		}
		return p.Devices, p.NextCursor, p.NextCursor != "", nil
	})
}

// GetDevicesByUser lists the devices of one type that a member last logged in on.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/get_by_user
func (s *SecurityService) GetDevicesByUser(ctx context.Context, userID string, typ DeviceType) ([]Device, error) {
	const op = "security/trustdevice/get_by_user"
	if err := required(op, "last_login_userid", userID); err != nil {
		return nil, err
	}
	if !typ.valid() {
		return nil, invalid(op, "type", "required: 1 trusted enterprise, 2 unknown, 3 trusted personal")
	}
	in := struct {
		UserID string     `json:"last_login_userid"`
		Type   DeviceType `json:"type"`
	}{userID, typ}
	var out struct {
		DeviceList []Device `json:"device_list"`
	}
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return out.DeviceList, nil
}

// DeleteDevices removes up to 100 devices from a list.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/delete
func (s *SecurityService) DeleteDevices(ctx context.Context, typ DeviceType, codes []string) error {
	const op = "security/trustdevice/delete"
	if !typ.valid() {
		return invalid(op, "type", "required: 1 trusted enterprise, 2 unknown, 3 trusted personal")
	}
	if err := checkCount(op, "device_code_list", len(codes), 1, MaxDevicesPerCall); err != nil {
		return err
	}
	in := struct {
		Type  DeviceType `json:"type"`
		Codes []string   `json:"device_code_list"`
	}{typ, codes}
	return s.client.post(ctx, op, in, nil)
}

// DeviceDecision lists the device codes an approve or reject call succeeded and failed for.
type DeviceDecision struct {
	SuccessList []string `json:"success_list"`
	FailList    []string `json:"fail_list"`
}

// ApproveDevices confirms up to 100 devices awaiting admin confirmation (status 3 or 4) as trusted.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/approve
func (s *SecurityService) ApproveDevices(ctx context.Context, codes []string) (*DeviceDecision, error) {
	return s.decide(ctx, "security/trustdevice/approve", codes)
}

// RejectDevices rejects up to 100 devices awaiting admin confirmation (status 3 or 4).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98920
//
//meta:operation POST /cgi-bin/security/trustdevice/reject
func (s *SecurityService) RejectDevices(ctx context.Context, codes []string) (*DeviceDecision, error) {
	return s.decide(ctx, "security/trustdevice/reject", codes)
}

func (s *SecurityService) decide(ctx context.Context, op string, codes []string) (*DeviceDecision, error) {
	if err := checkCount(op, "device_code_list", len(codes), 1, MaxDevicesPerCall); err != nil {
		return nil, err
	}
	in := struct {
		Codes []string `json:"device_code_list"`
	}{codes}
	var out DeviceDecision
	if err := s.client.post(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MemberOperType is the kind of a member operation record.
type MemberOperType int

// Member operation types (DOC/100178).
const (
	MemberAddExternalContact    MemberOperType = 1
	MemberDeleteExternalContact MemberOperType = 2
	MemberMarkCorpCustomer      MemberOperType = 3
	MemberNewDeviceLogin        MemberOperType = 4
	MemberChangeMobile          MemberOperType = 5
	MemberBindWeChat            MemberOperType = 6
	MemberRebindWeChat          MemberOperType = 7
	MemberInvite                MemberOperType = 8
	MemberLoginBanned           MemberOperType = 9
	MemberChangeNickname        MemberOperType = 11
	MemberChangeName            MemberOperType = 12
	MemberSecondaryDeviceLogin  MemberOperType = 13
	MemberConfirmVIPOrder       MemberOperType = 15
	MemberAppChange             MemberOperType = 16
	MemberConfirmArchiveOrder   MemberOperType = 17
	MemberInteropBanned         MemberOperType = 20
	MemberDeviceLocked          MemberOperType = 21
)

var memberOperTypeNames = map[MemberOperType]string{
	MemberAddExternalContact:    "added an external contact (添加外部联系人)",
	MemberDeleteExternalContact: "deleted an external contact (删除外部联系人)",
	MemberMarkCorpCustomer:      "marked a corp customer (标记企业客户)",
	MemberNewDeviceLogin:        "logged in on a new device (新设备登录)",
	MemberChangeMobile:          "changed mobile number (更换手机号)",
	MemberBindWeChat:            "bound a WeChat account (绑定微信号)",
	MemberRebindWeChat:          "rebound the WeChat account (换绑微信号)",
	MemberInvite:                "invited a member (邀请成员)",
	MemberLoginBanned:           "login banned (封禁登录)",
	MemberChangeNickname:        "changed nickname (修改昵称)",
	MemberChangeName:            "changed name (修改姓名)",
	MemberSecondaryDeviceLogin:  "logged in on a secondary device (副设备登录)",
	MemberConfirmVIPOrder:       "confirmed an advanced-feature order (确认高级功能订单)",
	MemberAppChange:             "changed an app (应用变更)",
	MemberConfirmArchiveOrder:   "confirmed a chat-archive order (确认会话内容存档订单)",
	MemberInteropBanned:         "interop banned (封禁互通)",
	MemberDeviceLocked:          "locked a device (锁定设备)",
}

func (t MemberOperType) String() string { return enumName("MemberOperType", t, memberOperTypeNames) }

// Known reports whether t is a type DOC/100178 documents.
func (t MemberOperType) Known() bool { _, ok := memberOperTypeNames[t]; return ok }

// MemberOperTypes are the documented member operation types, in order.
func MemberOperTypes() []MemberOperType { return sortedKeys(memberOperTypeNames) }

// AdminOperType is the kind of an admin-console operation record.
type AdminOperType int

// Admin operation types.
const (
	AdminPermissionChange       AdminOperType = 2
	AdminMemberDeptChange       AdminOperType = 3
	AdminOther                  AdminOperType = 7
	AdminAppChange              AdminOperType = 8
	AdminContactsChatManagement AdminOperType = 11
	AdminCorpInfoManagement     AdminOperType = 12
	AdminExternalContactManage  AdminOperType = 13
)

var adminOperTypeNames = map[AdminOperType]string{
	AdminPermissionChange:       "permission change (权限管理变更)",
	AdminMemberDeptChange:       "member and department change (成员与部门变更)",
	AdminOther:                  "other (其它)",
	AdminAppChange:              "app change (应用变更)",
	AdminContactsChatManagement: "contacts and chat management (通讯录与聊天管理)",
	AdminCorpInfoManagement:     "corp information management (企业信息管理)",
	AdminExternalContactManage:  "external contact management (外部联系人管理)",
}

func (t AdminOperType) String() string { return enumName("AdminOperType", t, adminOperTypeNames) }

// Known reports whether t is a documented admin operation type.
func (t AdminOperType) Known() bool { _, ok := adminOperTypeNames[t]; return ok }

// AdminOperTypes are the documented admin operation types, in order.
func AdminOperTypes() []AdminOperType { return sortedKeys(adminOperTypeNames) }

// TrimLabel drops from an operation record's detail the console label its kind's name already carries: WeCom
// writes "新设备登录：Windows PC" under the kind 新设备登录, which would read "logged in on a new device
// (新设备登录): 新设备登录：Windows PC". kind is the enum's String(); a detail starting with another label is
// kept whole.
func TrimLabel(kind, detail string) string {
	i, j := strings.LastIndex(kind, "("), strings.LastIndex(kind, ")")
	if i < 0 || j < i {
		return detail
	}
	label := kind[i+1 : j]
	rest, ok := strings.CutPrefix(detail, label)
	if !ok || label == "" {
		return detail
	}
	return strings.TrimSpace(strings.TrimLeft(rest, "：:，, "))
}

// OperLogOptions selects member or admin operation records: a window of at most 7 days (StartTime no earlier
// than 180 days ago; EndTime before now), optionally one OperType (a MemberOperType or AdminOperType value) and
// one operator. Limit is 1..400, 0 for WeCom's default (400).
type OperLogOptions struct {
	StartTime, EndTime int64
	OperType           int
	UserID             string
	Cursor             string
	Limit              int
}

type operLogRequest struct {
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
	OperType  int    `json:"oper_type,omitempty"`
	UserID    string `json:"userid,omitempty"`
	Cursor    string `json:"cursor,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

func (o *OperLogOptions) request(op string) (*operLogRequest, error) {
	if o == nil {
		return nil, invalid(op, "start_time", "required (unix seconds)")
	}
	if err := checkWindow(op, o.StartTime, o.EndTime, MaxOperLogSpan); err != nil {
		return nil, err
	}
	if err := checkLimit(op, o.Limit, MaxOperLogLimit); err != nil {
		return nil, err
	}
	if o.OperType < 0 {
		return nil, invalid(op, "oper_type", "negative")
	}
	return &operLogRequest{o.StartTime, o.EndTime, o.OperType, o.UserID, o.Cursor, o.Limit}, nil
}

// MemberOperLog is one member operation record.
type MemberOperLog struct {
	Time       int64          `json:"time"`
	UserID     string         `json:"userid"`
	OperType   MemberOperType `json:"oper_type"`
	DetailInfo string         `json:"detail_info"`
	IP         string         `json:"ip"`
}

// MemberOperLogPage is one page of member operation records.
type MemberOperLogPage struct {
	Records    []MemberOperLog `json:"record_list"`
	HasMore    bool            `json:"has_more"`
	NextCursor string          `json:"next_cursor"`
}

// ListMemberOperLogs fetches one page of member operation records (获取成员操作记录). WeCom allows 600 calls a
// minute.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/100178
//
//meta:operation POST /cgi-bin/security/member_oper_log/list
func (s *SecurityService) ListMemberOperLogs(ctx context.Context, opts *OperLogOptions) (*MemberOperLogPage, error) {
	const op = "security/member_oper_log/list"
	in, err := opts.request(op)
	if err != nil {
		return nil, err
	}
	var out MemberOperLogPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllMemberOperLogs walks every page of member operation records in opts' window (opts.Cursor is ignored).
func (s *SecurityService) AllMemberOperLogs(ctx context.Context, opts OperLogOptions) iter.Seq2[MemberOperLog, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]MemberOperLog, string, bool, error) {
		o := opts
		o.Cursor = cursor
		p, err := s.ListMemberOperLogs(ctx, &o)
		if err != nil {
			return nil, "", false, err
		}
		return p.Records, p.NextCursor, p.HasMore, nil
	})
}

// AdminOperLog is one admin-console operation record; DetailType refines OperType.
type AdminOperLog struct {
	Time       int64         `json:"time"`
	UserID     string        `json:"userid"`
	OperType   AdminOperType `json:"oper_type"`
	DetailType int           `json:"detail_type"`
	DetailInfo string        `json:"detail_info"`
	IP         string        `json:"ip"`
}

// AdminOperLogPage is one page of admin operation records.
type AdminOperLogPage struct {
	Records    []AdminOperLog `json:"record_list"`
	HasMore    bool           `json:"has_more"`
	NextCursor string         `json:"next_cursor"`
}

// ListAdminOperLogs fetches one page of admin-console operation records (获取管理端操作日志).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/100179
//
//meta:operation POST /cgi-bin/security/admin_oper_log/list
func (s *SecurityService) ListAdminOperLogs(ctx context.Context, opts *OperLogOptions) (*AdminOperLogPage, error) {
	const op = "security/admin_oper_log/list"
	in, err := opts.request(op)
	if err != nil {
		return nil, err
	}
	var out AdminOperLogPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllAdminOperLogs walks every page of admin operation records in opts' window (opts.Cursor is ignored).
func (s *SecurityService) AllAdminOperLogs(ctx context.Context, opts OperLogOptions) iter.Seq2[AdminOperLog, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]AdminOperLog, string, bool, error) {
		o := opts
		o.Cursor = cursor
		p, err := s.ListAdminOperLogs(ctx, &o)
		if err != nil {
			return nil, "", false, err
		}
		return p.Records, p.NextCursor, p.HasMore, nil
	})
}

// FileOperType is what was done to a file.
type FileOperType int

// File operation types (the ones the bot watches; WeCom has more, shown as FileOperType(n)).
const (
	FileUpload               FileOperType = 101
	FileDownload             FileOperType = 103
	FileForwardToWeCom       FileOperType = 112
	FileDownloadViaLink      FileOperType = 113
	FileApproveDownloadApply FileOperType = 10001
	FileRejectDownloadApply  FileOperType = 10002
)

var fileOperTypeNames = map[FileOperType]string{
	FileUpload:               "upload (上传)",
	FileDownload:             "download (下载)",
	FileForwardToWeCom:       "forward to WeCom (转发到企业微信)",
	FileDownloadViaLink:      "download via link (通过链接下载)",
	FileApproveDownloadApply: "approved a download request (通过下载申请)",
	FileRejectDownloadApply:  "rejected a download request (拒绝下载申请)",
}

func (t FileOperType) String() string { return enumName("FileOperType", t, fileOperTypeNames) }

// Known reports whether t is a documented file operation type.
func (t FileOperType) Known() bool { _, ok := fileOperTypeNames[t]; return ok }

// FileOperTypes are the documented file operation types, in order.
func FileOperTypes() []FileOperType { return sortedKeys(fileOperTypeNames) }

// FileSource is where a file operation happened.
type FileSource int

// File sources.
const (
	FileSourceChat     FileSource = 401
	FileSourceMail     FileSource = 402
	FileSourceDocs     FileSource = 403
	FileSourceDrive    FileSource = 404
	FileSourceSchedule FileSource = 405
)

var fileSourceNames = map[FileSource]string{
	FileSourceChat:     "chat (聊天)",
	FileSourceMail:     "mail (邮件)",
	FileSourceDocs:     "docs (文档)",
	FileSourceDrive:    "drive (微盘)",
	FileSourceSchedule: "schedule (日程)",
}

func (s FileSource) String() string { return enumName("FileSource", s, fileSourceNames) }

// FileOperation is an operation type and where it happened; zero fields are no filter.
type FileOperation struct {
	Type   FileOperType `json:"type,omitempty"`
	Source FileSource   `json:"source,omitempty"`
}

// FileOperRecordOptions selects file operation records (文件防泄漏): a window of at most 14 days, up to 100
// userids, an optional operation filter. Limit is 1..1000, 0 for WeCom's default.
type FileOperRecordOptions struct {
	StartTime, EndTime int64
	UserIDs            []string
	Operation          *FileOperation
	Cursor             string
	Limit              int
}

// FileExternalUser is the external operator of a file record (instead of UserID). Type 1 WeChat, 2 WeCom.
type FileExternalUser struct {
	Type     int    `json:"type"`
	Name     string `json:"name"`
	CorpName string `json:"corp_name"`
}

// FileOperRecord is one file operation record.
type FileOperRecord struct {
	Time          int64             `json:"time"`
	UserID        string            `json:"userid"`
	ExternalUser  *FileExternalUser `json:"external_user,omitempty"`
	Operation     FileOperation     `json:"operation"`
	FileInfo      string            `json:"file_info"`
	FileSize      int64             `json:"file_size"`
	FileMD5       string            `json:"file_md5"`
	ApplicantName string            `json:"applicant_name"`
	DeviceType    int               `json:"device_type"`
	DeviceCode    string            `json:"device_code"`
}

// FileOperRecordPage is one page of file operation records.
type FileOperRecordPage struct {
	Records    []FileOperRecord `json:"record_list"`
	HasMore    bool             `json:"has_more"`
	NextCursor string           `json:"next_cursor"`
}

// ListFileOperRecords fetches one page of file operation records.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/98079
//
//meta:operation POST /cgi-bin/security/get_file_oper_record
func (s *SecurityService) ListFileOperRecords(ctx context.Context, opts *FileOperRecordOptions) (*FileOperRecordPage, error) {
	const op = "security/get_file_oper_record"
	if opts == nil {
		return nil, invalid(op, "start_time", "required (unix seconds)")
	}
	if err := checkWindow(op, opts.StartTime, opts.EndTime, MaxFileRecordSpan); err != nil {
		return nil, err
	}
	if err := checkCount(op, "userid_list", len(opts.UserIDs), 0, MaxRecordFilterIDs); err != nil {
		return nil, err
	}
	if err := checkLimit(op, opts.Limit, MaxFileRecordLimit); err != nil {
		return nil, err
	}
	in := struct {
		StartTime int64          `json:"start_time"`
		EndTime   int64          `json:"end_time"`
		UserIDs   []string       `json:"userid_list,omitempty"`
		Operation *FileOperation `json:"operation,omitempty"`
		Cursor    string         `json:"cursor,omitempty"`
		Limit     int            `json:"limit,omitempty"`
	}{opts.StartTime, opts.EndTime, opts.UserIDs, opts.Operation, opts.Cursor, opts.Limit}
	var out FileOperRecordPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllFileOperRecords walks every page of file operation records (opts.Cursor is ignored).
func (s *SecurityService) AllFileOperRecords(ctx context.Context, opts FileOperRecordOptions) iter.Seq2[FileOperRecord, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]FileOperRecord, string, bool, error) {
		o := opts
		o.Cursor = cursor
		p, err := s.ListFileOperRecords(ctx, &o)
		if err != nil {
			return nil, "", false, err
		}
		return p.Records, p.NextCursor, p.HasMore, nil
	})
}

// ScreenShotType is what a screenshot or screen recording showed.
type ScreenShotType int

// Screenshot content types (DOC/100128).
const (
	ScreenShotChat     ScreenShotType = 1
	ScreenShotContacts ScreenShotType = 2
	ScreenShotMail     ScreenShotType = 3
	ScreenShotFile     ScreenShotType = 4
	ScreenShotSchedule ScreenShotType = 5
	ScreenShotOther    ScreenShotType = 6
)

var screenShotTypeNames = map[ScreenShotType]string{
	ScreenShotChat:     "chat (聊天)",
	ScreenShotContacts: "contacts (通讯录)",
	ScreenShotMail:     "mail (邮件)",
	ScreenShotFile:     "file (文件)",
	ScreenShotSchedule: "schedule (日程)",
	ScreenShotOther:    "other (其他)",
}

func (t ScreenShotType) String() string { return enumName("ScreenShotType", t, screenShotTypeNames) }

// ScreenOperRecordOptions selects screenshot/screen-recording records (截屏/录屏管理): a window of at most 14
// days, up to 100 userids and 100 department ids, an optional content type (0: all). Limit is 1..1000, 0 for
// WeCom's default.
type ScreenOperRecordOptions struct {
	StartTime, EndTime int64
	UserIDs            []string
	DepartmentIDs      []int
	ScreenShotType     ScreenShotType
	Cursor             string
	Limit              int
}

// ScreenOperRecord is one screenshot record. ScreenShotContent describes it, e.g. "文件(防泄露文件:test.pdf)";
// System is the operator's OS ("iOS", "iPad", …).
type ScreenOperRecord struct {
	Time              int64          `json:"time"`
	UserID            string         `json:"userid"`
	DepartmentID      int            `json:"department_id"`
	ScreenShotType    ScreenShotType `json:"screen_shot_type"`
	ScreenShotContent string         `json:"screen_shot_content"`
	System            string         `json:"system"`
}

// ScreenOperRecordPage is one page of screenshot records.
type ScreenOperRecordPage struct {
	Records    []ScreenOperRecord `json:"record_list"`
	HasMore    bool               `json:"has_more"`
	NextCursor string             `json:"next_cursor"`
}

// ListScreenOperRecords fetches one page of screenshot records. The app must be in 「截屏/录屏管理 - 可调用接口的应用」;
// records of members outside the app's visibility are filtered out.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/100128
//
//meta:operation POST /cgi-bin/security/get_screen_oper_record
func (s *SecurityService) ListScreenOperRecords(ctx context.Context, opts *ScreenOperRecordOptions) (*ScreenOperRecordPage, error) {
	const op = "security/get_screen_oper_record"
	if opts == nil {
		return nil, invalid(op, "start_time", "required (unix seconds)")
	}
	if err := checkWindow(op, opts.StartTime, opts.EndTime, MaxScreenRecordSpan); err != nil {
		return nil, err
	}
	if err := checkCount(op, "userid_list", len(opts.UserIDs), 0, MaxRecordFilterIDs); err != nil {
		return nil, err
	}
	if err := checkCount(op, "department_id_list", len(opts.DepartmentIDs), 0, MaxRecordFilterIDs); err != nil {
		return nil, err
	}
	if err := checkLimit(op, opts.Limit, MaxScreenRecordLimit); err != nil {
		return nil, err
	}
	in := struct {
		StartTime      int64          `json:"start_time"`
		EndTime        int64          `json:"end_time"`
		UserIDs        []string       `json:"userid_list,omitempty"`
		DepartmentIDs  []int          `json:"department_id_list,omitempty"`
		ScreenShotType ScreenShotType `json:"screen_shot_type,omitempty"`
		Cursor         string         `json:"cursor,omitempty"`
		Limit          int            `json:"limit,omitempty"`
	}{opts.StartTime, opts.EndTime, opts.UserIDs, opts.DepartmentIDs, opts.ScreenShotType, opts.Cursor, opts.Limit}
	var out ScreenOperRecordPage
	if err := s.client.query(ctx, op, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AllScreenOperRecords walks every page of screenshot records (opts.Cursor is ignored).
func (s *SecurityService) AllScreenOperRecords(ctx context.Context, opts ScreenOperRecordOptions) iter.Seq2[ScreenOperRecord, error] {
	return All(ctx, func(ctx context.Context, cursor string) ([]ScreenOperRecord, string, bool, error) {
		o := opts
		o.Cursor = cursor
		p, err := s.ListScreenOperRecords(ctx, &o)
		if err != nil {
			return nil, "", false, err
		}
		return p.Records, p.NextCursor, p.HasMore, nil
	})
}

// ServerDomainIP is the list of WeCom's domains and IPs a corporate firewall must allow.
type ServerDomainIP struct {
	DomainList []ServerDomain `json:"domain_list"`
	IPList     []ServerIP     `json:"ip_list"`
}

// ServerDomain is one WeCom domain. IsNecessary is 1 for domains WeCom cannot work without.
type ServerDomain struct {
	Domain string `json:"domain"`
	// UniversalDomain is the wildcard parent; WeCom spells the key "universal_domian".
	UniversalDomain string `json:"universal_domian"`
	Protocol        string `json:"protocol"`
	Port            []int  `json:"port"`
	IsNecessary     int    `json:"is_necessary"`
	Description     string `json:"description"`
}

// ServerIP is one WeCom IP address.
type ServerIP struct {
	IP          string `json:"ip"`
	Protocol    string `json:"protocol"`
	Port        []int  `json:"port"`
	IsNecessary int    `json:"is_necessary"`
	Description string `json:"description"`
}

// GetServerDomainIP fetches WeCom's domains and IPs (获取企业微信域名IP信息). Pair it with the security callback
// (ChangeType change_domain_ip), which says when the list changed.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/100079
//
//meta:operation GET /cgi-bin/security/get_server_domain_ip
func (s *SecurityService) GetServerDomainIP(ctx context.Context) (*ServerDomainIP, error) {
	const op = "security/get_server_domain_ip"
	var out ServerDomainIP
	if err := s.client.get(ctx, op, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
