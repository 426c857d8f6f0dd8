package emulator

// 安全管理: device management (DOC/98920), member and admin operation logs (DOC/100178, 100179), file-leak
// records (DOC/98079), screen-capture records (DOC/100128) and WeCom's own domains and IPs (DOC/100079),
// with the hooks tests of the bot's security alerts use to change the latter (SetServerDomainIP,
// ChangeServerDomainIP), as WeCom does before it sends the security callback with ChangeType
// change_domain_ip.

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

// routesSecurity registers 安全管理 (the client's wecom/security.go).
func (s *Server) routesSecurity() {
	// Device management, DOC/98920.
	s.handle("POST", "security/trustdevice/import", s.trustDeviceImport)
	s.handle("POST", "security/trustdevice/list", s.trustDeviceList)
	s.handle("POST", "security/trustdevice/get_by_user", s.trustDeviceGetByUser)
	s.handle("POST", "security/trustdevice/delete", s.trustDeviceDelete)
	s.handle("POST", "security/trustdevice/approve", s.trustDeviceApprove)
	s.handle("POST", "security/trustdevice/reject", s.trustDeviceReject)
	// Logs. DOC/100178: "接口调用频率限制为600次/分钟"; the admin log is documented the same way by SDKs only.
	s.handleLimited("POST", "security/member_oper_log/list", 600, s.memberOperLogList)
	s.handleLimited("POST", "security/admin_oper_log/list", 600, s.adminOperLogList)
	s.handle("POST", "security/get_file_oper_record", s.getFileOperRecord)
	s.handle("POST", "security/get_screen_oper_record", s.getScreenOperRecord)
	s.handle("GET", "security/get_server_domain_ip", s.getServerDomainIP)
}

// trustDevice is one device known to 设备管理. Type and Status move together: type 1 可信企业设备 has status 1
// (已导入未登录) or 5 (已确认为可信企业设备); type 2 未知设备 has 2 (待邀请), 3 (待管理员确认为企业设备) or 4
// (待管理员确认为个人设备); type 3 可信个人设备 has 6 (已确认为可信个人设备).
type trustDevice struct {
	Code             string
	Type             int
	System           string // "Windows" or "Mac"
	MacAddr          []string
	MotherboardUUID  string
	HarddiskUUID     []string
	Domain           string
	PCName           string
	SeqNo            string
	LastLoginTime    int64
	LastLoginUserID  string
	ConfirmTimestamp int64
	ConfirmUserID    string
	ApprovedUserID   string
	Source           int // 0 未知 1 成员确认 2 管理员导入 3 成员自主申报
	Status           int
}

type trustDeviceJSON struct {
	DeviceCode       string   `json:"device_code"`
	System           string   `json:"system"`
	MacAddr          []string `json:"mac_addr,omitempty"`
	MotherboardUUID  string   `json:"motherboard_uuid,omitempty"`
	HarddiskUUID     []string `json:"harddisk_uuid,omitempty"`
	Domain           string   `json:"domain,omitempty"`
	PCName           string   `json:"pc_name,omitempty"`
	SeqNo            string   `json:"seq_no,omitempty"`
	LastLoginTime    int64    `json:"last_login_time,omitempty"`
	LastLoginUserID  string   `json:"last_login_userid,omitempty"`
	ConfirmTimestamp int64    `json:"confirm_timestamp,omitempty"`
	ConfirmUserID    string   `json:"confirm_userid,omitempty"`
	ApprovedUserID   string   `json:"approved_userid,omitempty"`
	Source           int      `json:"source"`
	Status           int      `json:"status"`
}

// json renders a device. "对于状态为2/4/6的设备，MAC地址、序列号、UUID等信息会做脱敏处理" (DOC/98920): a personal
// or not-yet-claimed device's identifiers are masked.
func (d *trustDevice) json() trustDeviceJSON {
	j := trustDeviceJSON{DeviceCode: d.Code, System: d.System, MacAddr: slices.Clone(d.MacAddr),
		MotherboardUUID: d.MotherboardUUID, HarddiskUUID: slices.Clone(d.HarddiskUUID), Domain: d.Domain,
		PCName: d.PCName, SeqNo: d.SeqNo, LastLoginTime: d.LastLoginTime, LastLoginUserID: d.LastLoginUserID,
		ConfirmTimestamp: d.ConfirmTimestamp, ConfirmUserID: d.ConfirmUserID, ApprovedUserID: d.ApprovedUserID,
		Source: d.Source, Status: d.Status}
	if d.Status == 2 || d.Status == 4 || d.Status == 6 {
		for i, m := range j.MacAddr {
			j.MacAddr[i] = admMaskMAC(m)
		}
		for i, h := range j.HarddiskUUID {
			j.HarddiskUUID[i] = admMask(h)
		}
		if j.MotherboardUUID != "" {
			j.MotherboardUUID = admMask(j.MotherboardUUID)
		}
		if j.SeqNo != "" {
			j.SeqNo = admMask(j.SeqNo)
		}
	}
	return j
}

// Per-call bounds from DOC/98920: "每次调用最多导入100条", device_code_list "最多100个", mac_addr and
// harddisk_uuid "每个设备最多100个", list limit "最大值100".
const (
	maxDevicesPerCall  = 100
	maxDeviceIDsPerDev = 100
	maxDeviceListLimit = 100
)

var admMACRe = regexp.MustCompile(`^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$`)

func admNormMAC(m string) string { return strings.ToUpper(strings.ReplaceAll(m, "-", ":")) }

// admCheckDeviceType validates the type every list/delete/get_by_user call must carry.
func admCheckDeviceType(t int) *apiError {
	if t < 1 || t > 3 {
		return errInvalidParam("invalid type %d, require 1 (可信企业设备), 2 (未知设备) or 3 (可信个人设备)", t)
	}
	return nil
}

// admCheckCodeList validates a device_code_list.
func admCheckCodeList(codes []string) *apiError {
	if len(codes) == 0 {
		return errInvalidParam("device_code_list is empty")
	}
	if len(codes) > maxDevicesPerCall {
		return errInvalidParam("device_code_list has %d codes, at most %d", len(codes), maxDevicesPerCall)
	}
	return nil
}

// trustDeviceImport is POST security/trustdevice/import. Per device: status 1 成功, 2 重复导入, 3 不支持的设备,
// 4 数据格式错误; a duplicate names the device it duplicates in duplicated_device_code (SKIT sample).
func (s *Server) trustDeviceImport(c *apiCall) (obj, *apiError) {
	var req struct {
		DeviceList []struct {
			System          string   `json:"system"`
			MacAddr         []string `json:"mac_addr"`
			MotherboardUUID string   `json:"motherboard_uuid"`
			HarddiskUUID    []string `json:"harddisk_uuid"`
			Domain          string   `json:"domain"`
			PCName          string   `json:"pc_name"`
			SeqNo           string   `json:"seq_no"`
		} `json:"device_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if len(req.DeviceList) == 0 {
		return nil, errInvalidParam("device_list is empty")
	}
	if len(req.DeviceList) > maxDevicesPerCall {
		return nil, errInvalidParam("device_list has %d devices, at most %d per call", len(req.DeviceList), maxDevicesPerCall)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	type result struct {
		Index     int    `json:"device_index"`
		Code      string `json:"device_code,omitempty"`
		Status    int    `json:"status"`
		Duplicate string `json:"duplicated_device_code,omitempty"`
	}
	results := make([]result, 0, len(req.DeviceList))
	for i, in := range req.DeviceList {
		r := result{Index: i + 1}
		macs := make([]string, 0, len(in.MacAddr))
		valid := len(in.MacAddr) <= maxDeviceIDsPerDev && len(in.HarddiskUUID) <= maxDeviceIDsPerDev
		for _, m := range in.MacAddr {
			valid = valid && admMACRe.MatchString(m)
			macs = append(macs, admNormMAC(m))
		}
		switch in.System {
		case "Windows":
			valid = valid && len(macs) > 0 // "当system为Windows时必填"
		case "Mac":
			valid = valid && strings.TrimSpace(in.SeqNo) != "" // "当system为Mac时必填"
		default:
			r.Status = 3
			results = append(results, r)
			continue
		}
		if !valid {
			r.Status = 4
			results = append(results, r)
			continue
		}
		if dup := a.duplicateDevice(in.System, macs, in.SeqNo); dup != nil {
			r.Status, r.Duplicate = 2, dup.Code
			results = append(results, r)
			continue
		}
		if len(a.devices) >= maxTrustDevices {
			return nil, errInvalidParam("device limit of the emulator (%d) reached", maxTrustDevices)
		}
		d := &trustDevice{Type: 1, Status: 1, Source: 2, System: in.System, MacAddr: macs}
		if in.System == "Windows" {
			d.MotherboardUUID, d.HarddiskUUID, d.Domain, d.PCName = in.MotherboardUUID, in.HarddiskUUID, in.Domain, in.PCName
		} else {
			d.SeqNo = in.SeqNo
		}
		a.addDevice(d)
		r.Status, r.Code = 1, d.Code
		results = append(results, r)
	}
	return obj{"result": results}, nil
}

// duplicateDevice finds a known device that is the same machine: a Mac by serial number, a Windows PC by any
// shared MAC address.
func (a *adminState) duplicateDevice(system string, macs []string, seq string) *trustDevice {
	for _, d := range a.devices {
		if d.System != system {
			continue
		}
		if system == "Mac" {
			if strings.EqualFold(d.SeqNo, seq) {
				return d
			}
			continue
		}
		for _, m := range d.MacAddr {
			if slices.Contains(macs, admNormMAC(m)) {
				return d
			}
		}
	}
	return nil
}

// trustDeviceList is POST security/trustdevice/list: {"cursor","limit","type"} → {"device_list","next_cursor"},
// next_cursor empty on the last page (there is no has_more here).
func (s *Server) trustDeviceList(c *apiCall) (obj, *apiError) {
	var req struct {
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
		Type   int    `json:"type"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := admCheckDeviceType(req.Type); err != nil {
		return nil, err
	}
	if req.Limit < 0 || req.Limit > maxDeviceListLimit {
		return nil, errInvalidParam("invalid limit %d, require 1-%d", req.Limit, maxDeviceListLimit)
	}
	if req.Limit == 0 {
		req.Limit = maxDeviceListLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var match []*trustDevice
	for _, d := range s.org.admin.devices {
		if d.Type == req.Type {
			match = append(match, d)
		}
	}
	rows, next, err := page(match, "dev", fingerprint(req.Type), req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	list := make([]trustDeviceJSON, 0, len(rows))
	for _, d := range rows {
		list = append(list, d.json())
	}
	return obj{"device_list": list, "next_cursor": next}, nil
}

// trustDeviceGetByUser is POST security/trustdevice/get_by_user: the devices of one type a member last logged in
// on.
func (s *Server) trustDeviceGetByUser(c *apiCall) (obj, *apiError) {
	var req struct {
		UserID string `json:"last_login_userid"`
		Type   int    `json:"type"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if req.UserID == "" {
		return nil, errInvalidParam("last_login_userid is required")
	}
	if err := admCheckDeviceType(req.Type); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org.admCheckUser(req.UserID); err != nil {
		return nil, err
	}
	list := []trustDeviceJSON{}
	for _, d := range s.org.admin.devices {
		if d.Type == req.Type && d.LastLoginUserID == req.UserID {
			list = append(list, d.json())
		}
	}
	return obj{"device_list": list}, nil
}

// trustDeviceDelete is POST security/trustdevice/delete. It removes the listed devices of the given type; WeCom
// answers only errcode, so codes that match nothing are not reported.
func (s *Server) trustDeviceDelete(c *apiCall) (obj, *apiError) {
	var req struct {
		Type  int      `json:"type"`
		Codes []string `json:"device_code_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := admCheckDeviceType(req.Type); err != nil {
		return nil, err
	}
	if err := admCheckCodeList(req.Codes); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	a.devices = slices.DeleteFunc(a.devices, func(d *trustDevice) bool {
		return d.Type == req.Type && slices.Contains(req.Codes, d.Code)
	})
	return obj{}, nil
}

// trustDeviceApprove is POST security/trustdevice/approve: "仅支持状态为待管理员确认的设备" — a status 3 device
// becomes a trusted enterprise device (type 1, status 5), a status 4 one a trusted personal device (type 3,
// status 6); any other code lands in fail_list.
func (s *Server) trustDeviceApprove(c *apiCall) (obj, *apiError) {
	return s.decideDevices(c, func(d *trustDevice) {
		if d.Status == 3 {
			d.Type, d.Status = 1, 5
		} else {
			d.Type, d.Status = 3, 6
		}
	})
}

// trustDeviceReject is POST security/trustdevice/reject: the claim is refused and the device goes back to
// 未知设备/待邀请 (type 2, status 2).
func (s *Server) trustDeviceReject(c *apiCall) (obj, *apiError) {
	return s.decideDevices(c, func(d *trustDevice) {
		d.Type, d.Status = 2, 2
		d.ConfirmUserID, d.ConfirmTimestamp = "", 0
	})
}

func (s *Server) decideDevices(c *apiCall, decide func(*trustDevice)) (obj, *apiError) {
	var req struct {
		Codes []string `json:"device_code_list"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := admCheckCodeList(req.Codes); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	success, fail := []string{}, []string{}
	for _, code := range req.Codes {
		d := s.org.admin.device(code)
		if d == nil || (d.Status != 3 && d.Status != 4) {
			fail = append(fail, code)
			continue
		}
		decide(d)
		success = append(success, code)
	}
	return obj{"success_list": success, "fail_list": fail}, nil
}

// memberOperTypes are the oper_type values DOC/100178 lists.
var memberOperTypes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 20, 21}

// Limits of both operation logs (DOC/100178; the admin log by SDK comments): start_time "不早于180天前",
// end_time "大于start_time，小于当前时间", "跨度不能超过7天", limit "1 ~ 400", default 400.
const (
	operLogHorizon  = 180 * 24 * time.Hour
	operLogMaxSpan  = 7 * 24 * time.Hour
	operLogMaxLimit = 400
)

type operLogRequest struct {
	StartTime int64  `json:"start_time"`
	EndTime   int64  `json:"end_time"`
	OperType  int    `json:"oper_type"`
	UserID    string `json:"userid"`
	Cursor    string `json:"cursor"`
	Limit     int    `json:"limit"`
}

// check validates an operation-log query against now and defaults its limit.
func (r *operLogRequest) check(now time.Time) *apiError {
	switch {
	case r.StartTime <= 0:
		return errInvalidParam("start_time is required")
	case r.EndTime <= 0:
		return errInvalidParam("end_time is required")
	case r.StartTime < now.Add(-operLogHorizon).Unix():
		return errInvalidParam("start_time %d is earlier than 180 days ago", r.StartTime)
	case r.EndTime <= r.StartTime:
		return errInvalidParam("end_time %d must be later than start_time %d", r.EndTime, r.StartTime)
	// "小于当前时间" (DOC/100178, 100179): strictly earlier than now, so a client sending its own current second
	// is refused as WeCom refuses it.
	case r.EndTime >= now.Unix():
		return errInvalidParam("end_time %d must be earlier than the current time %d", r.EndTime, now.Unix())
	case r.EndTime-r.StartTime > int64(operLogMaxSpan/time.Second):
		return errInvalidParam("time span %ds exceeds 7 days", r.EndTime-r.StartTime)
	case r.Limit < 0 || r.Limit > operLogMaxLimit:
		return errInvalidParam("invalid limit %d, require 1-%d", r.Limit, operLogMaxLimit)
	}
	if r.Limit == 0 {
		r.Limit = operLogMaxLimit
	}
	return nil
}

func (r *operLogRequest) covers(t time.Time, userid string, operType int) bool {
	u := t.Unix()
	return u >= r.StartTime && u <= r.EndTime && (r.UserID == "" || r.UserID == userid) &&
		(r.OperType == 0 || r.OperType == operType)
}

// memberOperLogList is POST security/member_oper_log/list (DOC/100178).
func (s *Server) memberOperLogList(c *apiCall) (obj, *apiError) {
	var req operLogRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := req.check(s.opts.Now()); err != nil {
		return nil, err
	}
	if req.OperType != 0 && !slices.Contains(memberOperTypes, req.OperType) {
		return nil, errInvalidParam("invalid oper_type %d", req.OperType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.UserID != "" {
		if err := s.org.admCheckUser(req.UserID); err != nil {
			return nil, err
		}
	}
	var match []MemberOperRecord
	for _, r := range s.org.admin.memberLogs {
		if req.covers(r.Time, r.UserID, r.OperType) && s.org.admVisible(r.UserID) {
			match = append(match, r)
		}
	}
	fp := fingerprint(req.StartTime, req.EndTime, req.OperType, req.UserID)
	rows, next, err := page(match, "mlog", fp, req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	type record struct {
		Time       int64  `json:"time"`
		UserID     string `json:"userid"`
		OperType   int    `json:"oper_type"`
		DetailInfo string `json:"detail_info"`
		IP         string `json:"ip"`
	}
	list := make([]record, 0, len(rows))
	for _, r := range rows {
		list = append(list, record{r.Time.Unix(), r.UserID, r.OperType, r.DetailInfo, r.IP})
	}
	return recordPage(next, list), nil
}

// adminOperLogList is POST security/admin_oper_log/list (DOC/100179): the member log's request, records with
// detail_type. Its oper_type list is only known from one SDK, so any value is accepted as a filter.
func (s *Server) adminOperLogList(c *apiCall) (obj, *apiError) {
	var req operLogRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	if err := req.check(s.opts.Now()); err != nil {
		return nil, err
	}
	if req.OperType < 0 {
		return nil, errInvalidParam("invalid oper_type %d", req.OperType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Unlike the member log, the admin log is not filtered by the app's visibility (DOC/100179, 2024/09/13).
	if req.UserID != "" && s.org.member(req.UserID) == nil {
		return nil, errf(60111, "userid not found")
	}
	var match []AdminOperRecord
	for _, r := range s.org.admin.adminLogs {
		if req.covers(r.Time, r.UserID, r.OperType) {
			match = append(match, r)
		}
	}
	fp := fingerprint(req.StartTime, req.EndTime, req.OperType, req.UserID)
	rows, next, err := page(match, "alog", fp, req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	type record struct {
		Time       int64  `json:"time"`
		UserID     string `json:"userid"`
		OperType   int    `json:"oper_type"`
		DetailType int    `json:"detail_type"`
		DetailInfo string `json:"detail_info"`
		IP         string `json:"ip"`
	}
	list := make([]record, 0, len(rows))
	for _, r := range rows {
		list = append(list, record{r.Time.Unix(), r.UserID, r.OperType, r.DetailType, r.DetailInfo, r.IP})
	}
	return recordPage(next, list), nil
}

// Limits of the file and screen records (DOC/98079, DOC/100128): span ≤ 14 days, ≤ 100 userids (and
// departments), limit ≤ 1000. Neither doc gives a default limit; the maximum is used.
const (
	recordMaxSpan  = 14 * 24 * time.Hour
	recordMaxIDs   = 100
	recordMaxLimit = 1000
)

// getFileOperRecord is POST security/get_file_oper_record. Its errcodes are the dedicated ones DOC/90313
// lists: 701100 时间戳不合法, 701101 limit大小超过上限1000, 701102 查询用户数超过上限100, 701103 操作类型不合法,
// 701104 操作来源不合法, 701105 cursor不合法. (701100's text adds that a corp without 微盘专业版 can only query
// the last 90 days; the emulated corp is treated as having it, matching "已产生的操作记录将永久保存".)
func (s *Server) getFileOperRecord(c *apiCall) (obj, *apiError) {
	var req struct {
		StartTime  int64    `json:"start_time"`
		EndTime    int64    `json:"end_time"`
		UserIDList []string `json:"userid_list"`
		Operation  *struct {
			Type   int `json:"type"`
			Source int `json:"source"`
		} `json:"operation"`
		Cursor string `json:"cursor"`
		Limit  int    `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.StartTime <= 0 || req.EndTime <= 0:
		return nil, errf(701100, "invalid timestamp, start_time and end_time are required")
	case req.EndTime <= req.StartTime:
		return nil, errf(701100, "invalid timestamp, start_time must be earlier than end_time")
	case req.EndTime-req.StartTime > int64(recordMaxSpan/time.Second):
		return nil, errf(701100, "invalid timestamp, time range exceeds 14 days")
	case req.Limit < 0 || req.Limit > recordMaxLimit:
		return nil, errf(701101, "limit %d exceeds the upper limit 1000", req.Limit)
	case len(req.UserIDList) > recordMaxIDs:
		return nil, errf(701102, "%d userids exceed the upper limit 100", len(req.UserIDList))
	}
	opType, opSource := 0, 0
	if req.Operation != nil {
		opType, opSource = req.Operation.Type, req.Operation.Source
	}
	if opType < 0 {
		return nil, errf(701103, "invalid operation type %d", opType)
	}
	if opSource != 0 && (opSource < 401 || opSource > 405) {
		return nil, errf(701104, "invalid operation source %d", opSource)
	}
	if req.Limit == 0 {
		req.Limit = recordMaxLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range req.UserIDList {
		if err := s.org.admCheckUser(u); err != nil {
			return nil, err
		}
	}
	var match []FileOperRecord
	for _, r := range s.org.admin.fileRecords {
		t := r.Time.Unix()
		switch {
		case t < req.StartTime || t > req.EndTime,
			opType != 0 && r.OperType != opType,
			opSource != 0 && r.OperSource != opSource,
			r.UserID != "" && !s.org.admVisible(r.UserID),
			len(req.UserIDList) > 0 && !slices.Contains(req.UserIDList, r.UserID):
			continue
		}
		match = append(match, r)
	}
	fp := fingerprint(req.StartTime, req.EndTime, req.UserIDList, opType, opSource)
	rows, next, err := page(match, "file", fp, req.Cursor, req.Limit, errf(701105, "invalid cursor"))
	if err != nil {
		return nil, err
	}
	type operation struct {
		Type   int `json:"type"`
		Source int `json:"source,omitempty"`
	}
	type externalUser struct {
		Type     int    `json:"type"`
		Name     string `json:"name"`
		CorpName string `json:"corp_name,omitempty"`
	}
	type record struct {
		Time          int64         `json:"time"`
		UserID        string        `json:"userid,omitempty"`
		ExternalUser  *externalUser `json:"external_user,omitempty"`
		Operation     operation     `json:"operation"`
		FileInfo      string        `json:"file_info"`
		FileSize      int64         `json:"file_size,omitempty"`
		FileMD5       string        `json:"file_md5,omitempty"`
		ApplicantName string        `json:"applicant_name,omitempty"`
		DeviceType    int           `json:"device_type,omitempty"`
		DeviceCode    string        `json:"device_code,omitempty"`
	}
	list := make([]record, 0, len(rows))
	for _, r := range rows {
		out := record{Time: r.Time.Unix(), UserID: r.UserID, Operation: operation{r.OperType, r.OperSource},
			FileInfo: r.FileInfo, FileSize: r.FileSize, FileMD5: r.FileMD5, ApplicantName: r.ApplicantName,
			DeviceType: r.DeviceType, DeviceCode: r.DeviceCode}
		if r.ExternalUser != nil {
			out.ExternalUser = &externalUser{r.ExternalUser.Type, r.ExternalUser.Name, r.ExternalUser.CorpName}
		}
		list = append(list, out)
	}
	return recordPage(next, list), nil
}

// getScreenOperRecord is POST security/get_screen_oper_record (DOC/100128; fields from SKIT's request model
// and the shuaidd/wecom-core comments: start_time, end_time (≤14 days), userid_list and department_id_list
// (≤100 each, inside the app's visibility), screen_shot_type 1-6, cursor, limit ≤1000). No dedicated errcodes
// are documented, so violations answer 40058.
func (s *Server) getScreenOperRecord(c *apiCall) (obj, *apiError) {
	var req struct {
		StartTime      int64    `json:"start_time"`
		EndTime        int64    `json:"end_time"`
		UserIDList     []string `json:"userid_list"`
		DepartmentIDs  []int    `json:"department_id_list"`
		ScreenShotType int      `json:"screen_shot_type"`
		Cursor         string   `json:"cursor"`
		Limit          int      `json:"limit"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.StartTime <= 0 || req.EndTime <= 0:
		return nil, errInvalidParam("start_time and end_time are required")
	case req.EndTime <= req.StartTime:
		return nil, errInvalidParam("start_time must be earlier than end_time")
	case req.EndTime-req.StartTime > int64(recordMaxSpan/time.Second):
		return nil, errInvalidParam("time range exceeds 14 days")
	case len(req.UserIDList) > recordMaxIDs:
		return nil, errInvalidParam("userid_list has %d userids, at most %d", len(req.UserIDList), recordMaxIDs)
	case len(req.DepartmentIDs) > recordMaxIDs:
		return nil, errInvalidParam("department_id_list has %d ids, at most %d", len(req.DepartmentIDs), recordMaxIDs)
	case req.ScreenShotType < 0 || req.ScreenShotType > 6:
		return nil, errInvalidParam("invalid screen_shot_type %d, require 1-6", req.ScreenShotType)
	case req.Limit < 0 || req.Limit > recordMaxLimit:
		return nil, errInvalidParam("invalid limit %d, at most %d", req.Limit, recordMaxLimit)
	}
	if req.Limit == 0 {
		req.Limit = recordMaxLimit
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range req.UserIDList {
		if err := s.org.admCheckUser(u); err != nil {
			return nil, err
		}
	}
	for _, id := range req.DepartmentIDs {
		if s.org.department(id) == nil {
			return nil, errf(60003, "department %d not found", id)
		}
	}
	var match []ScreenOperRecord
	for _, r := range s.org.admin.screenRecords {
		t := r.Time.Unix()
		switch {
		case t < req.StartTime || t > req.EndTime,
			!s.org.admVisible(r.UserID),
			len(req.UserIDList) > 0 && !slices.Contains(req.UserIDList, r.UserID),
			len(req.DepartmentIDs) > 0 && !slices.Contains(req.DepartmentIDs, r.DepartmentID),
			req.ScreenShotType != 0 && r.ScreenShotType != req.ScreenShotType:
			continue
		}
		match = append(match, r)
	}
	fp := fingerprint(req.StartTime, req.EndTime, req.UserIDList, req.DepartmentIDs, req.ScreenShotType)
	rows, next, err := page(match, "screen", fp, req.Cursor, req.Limit, errBadCursor())
	if err != nil {
		return nil, err
	}
	type record struct {
		Time              int64  `json:"time"`
		UserID            string `json:"userid"`
		DepartmentID      int    `json:"department_id"`
		ScreenShotType    int    `json:"screen_shot_type"`
		ScreenShotContent string `json:"screen_shot_content"`
		System            string `json:"system"`
	}
	list := make([]record, 0, len(rows))
	for _, r := range rows {
		list = append(list, record{r.Time.Unix(), r.UserID, r.DepartmentID, r.ScreenShotType, r.ScreenShotContent, r.System})
	}
	return recordPage(next, list), nil
}

// getServerDomainIP is GET security/get_server_domain_ip (DOC/100079).
func (s *Server) getServerDomainIP(c *apiCall) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return obj{"domain_list": slices.Clone(s.org.admin.domains), "ip_list": slices.Clone(s.org.admin.ips)}, nil
}

// MemberOperRecord is one row of security/member_oper_log/list (DOC/100178).
type MemberOperRecord struct {
	Time       time.Time
	UserID     string
	OperType   int // 1 添加外部联系人 … 4 新设备登录 … 21 锁定设备
	DetailInfo string
	IP         string // WeCom masks the last octet here ("183.40.88.*")
}

// AdminOperRecord is one row of security/admin_oper_log/list (DOC/100179).
type AdminOperRecord struct {
	Time       time.Time
	UserID     string
	OperType   int // 2 权限管理变更, 3 成员与部门变更, 7 其它, 8 应用变更, 11, 12, 13
	DetailType int
	DetailInfo string
	IP         string
}

// FileOperRecord is one row of security/get_file_oper_record (DOC/98079). Exactly one of UserID and
// ExternalUser is set.
type FileOperRecord struct {
	Time          time.Time
	UserID        string
	ExternalUser  *FileExternalUser
	OperType      int // 101 上传, 103 下载, 112 转发到企业微信, 113 通过链接下载, 10001/10002 通过/拒绝下载申请
	OperSource    int // 401 聊天 402 邮件 403 文档 404 微盘 405 日程; 0 when the type has none
	FileInfo      string
	FileSize      int64
	FileMD5       string
	ApplicantName string
	DeviceType    int
	DeviceCode    string
}

// FileExternalUser is the external_user of a file record: type 1 WeChat user, 2 WeCom user of another corp.
type FileExternalUser struct {
	Type     int
	Name     string
	CorpName string
}

// ScreenOperRecord is one row of security/get_screen_oper_record (DOC/100128; shape from SKIT's
// CgibinSecurityGetScreenOperateRecordResponse sample).
type ScreenOperRecord struct {
	Time              time.Time
	UserID            string
	DepartmentID      int
	ScreenShotType    int // 1 聊天 2 通讯录 3 邮件 4 文件 5 日程 6 其他
	ScreenShotContent string
	System            string
}

type serverDomain struct {
	Domain          string `json:"domain"`
	UniversalDomain string `json:"universal_domian"` // WeCom's own spelling (DOC/100079)
	Protocol        string `json:"protocol"`
	Port            []int  `json:"port"`
	IsNecessary     int    `json:"is_necessary"`
	Description     string `json:"description"`
}

type serverIP struct {
	IP          string `json:"ip"`
	Protocol    string `json:"protocol"`
	Port        []int  `json:"port"`
	IsNecessary int    `json:"is_necessary"`
	Description string `json:"description"`
}

// addDevice gives d a fresh 7-character device_code (WeCom's look, e.g. "49nNtYq") and stores it.
func (a *adminState) addDevice(d *trustDevice) {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 7)
		for i := range b {
			b[i] = alphabet[a.rng.IntN(len(alphabet))]
		}
		if a.device(string(b)) == nil {
			d.Code = string(b)
			break
		}
	}
	a.devices = append(a.devices, d)
}

// device returns the device with the code, or nil.
func (a *adminState) device(code string) *trustDevice {
	for _, d := range a.devices {
		if d.Code == code {
			return d
		}
	}
	return nil
}

// Sorted insertion keeps each log ordered by time (ties in insertion order), which is the order pages are
// served in; appending beyond the bound drops the oldest rows.

func (a *adminState) addMemberLog(r MemberOperRecord) {
	a.memberLogs = admInsertSorted(a.memberLogs, r, func(x MemberOperRecord) time.Time { return x.Time })
}

func (a *adminState) addAdminLog(r AdminOperRecord) {
	a.adminLogs = admInsertSorted(a.adminLogs, r, func(x AdminOperRecord) time.Time { return x.Time })
}

func (a *adminState) addFileRecord(r FileOperRecord) {
	a.fileRecords = admInsertSorted(a.fileRecords, r, func(x FileOperRecord) time.Time { return x.Time })
}

func (a *adminState) addScreenRecord(r ScreenOperRecord) {
	a.screenRecords = admInsertSorted(a.screenRecords, r, func(x ScreenOperRecord) time.Time { return x.Time })
}

func admInsertSorted[T any](list []T, r T, at func(T) time.Time) []T {
	t := at(r)
	i, _ := slices.BinarySearchFunc(list, t, func(x T, t time.Time) int {
		if at(x).After(t) {
			return 1
		}
		return -1 // equal times sort before the new row, keeping insertion order among ties
	})
	list = slices.Insert(list, i, r)
	if len(list) > maxAdminLogRows {
		list = slices.Delete(list, 0, len(list)-maxAdminLogRows)
	}
	return list
}

// AddMemberOperRecord appends a member operation record (security/member_oper_log/list), e.g. a new-device
// login that a test expects the bot to alert on.
func (s *Server) AddMemberOperRecord(r MemberOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addMemberLog(r)
}

// MemberOperRecords returns a copy of the member operation log, oldest first, for tests to compare with.
func (s *Server) MemberOperRecords() []MemberOperRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.org.admin.memberLogs)
}

// AddAdminOperRecord appends an admin operation record (security/admin_oper_log/list).
func (s *Server) AddAdminOperRecord(r AdminOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addAdminLog(r)
}

// AddFileOperRecord appends a file operation record (security/get_file_oper_record).
func (s *Server) AddFileOperRecord(r FileOperRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.admin.addFileRecord(r)
}

// admMask hides the middle of an identifier the way WeCom masks serials and UUIDs of personal devices.
func admMask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
}

// admMaskMAC keeps the vendor prefix and last byte of a MAC address: "50:81:**:**:**:CA".
func admMaskMAC(mac string) string {
	parts := strings.FieldsFunc(mac, func(r rune) bool { return r == ':' || r == '-' })
	if len(parts) != 6 {
		return admMask(mac)
	}
	return strings.Join([]string{parts[0], parts[1], "**", "**", "**", parts[5]}, ":")
}

// ServerDomain is one entry of security/get_server_domain_ip's domain_list. IsNecessary is 1 for a domain
// WeCom cannot work without.
type ServerDomain struct {
	Domain          string
	UniversalDomain string // "universal_domian" in WeCom's JSON
	Protocol        string
	Port            []int
	IsNecessary     int
	Description     string
}

// ServerIP is one entry of security/get_server_domain_ip's ip_list.
type ServerIP struct {
	IP          string
	Protocol    string
	Port        []int
	IsNecessary int
	Description string
}

// ServerDomainIP returns the domains and IPs security/get_server_domain_ip answers now.
func (s *Server) ServerDomainIP() ([]ServerDomain, []ServerIP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	domains := make([]ServerDomain, len(a.domains))
	for i, d := range a.domains {
		domains[i] = ServerDomain{d.Domain, d.UniversalDomain, d.Protocol, slices.Clone(d.Port), d.IsNecessary, d.Description}
	}
	ips := make([]ServerIP, len(a.ips))
	for i, ip := range a.ips {
		ips[i] = ServerIP{ip.IP, ip.Protocol, slices.Clone(ip.Port), ip.IsNecessary, ip.Description}
	}
	return domains, ips
}

// SetServerDomainIP replaces the domains and IPs security/get_server_domain_ip answers. It does not deliver
// the security callback; build one with Event("sys", "security", map[string]string{"ChangeType":
// "change_domain_ip"}) and Deliver it (or POST /_emulator/event).
func (s *Server) SetServerDomainIP(domains []ServerDomain, ips []ServerIP) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.org.admin
	a.domains = make([]serverDomain, len(domains))
	for i, d := range domains {
		a.domains[i] = serverDomain{d.Domain, d.UniversalDomain, d.Protocol, slices.Clone(d.Port), d.IsNecessary, d.Description}
	}
	a.ips = make([]serverIP, len(ips))
	for i, ip := range ips {
		a.ips[i] = serverIP{ip.IP, ip.Protocol, slices.Clone(ip.Port), ip.IsNecessary, ip.Description}
	}
}

// ChangeServerDomainIP edits the current lists: f gets copies and returns the new lists (ServerDomainIP, then
// SetServerDomainIP; the lock is not held while f runs, so f may call the emulator).
func (s *Server) ChangeServerDomainIP(f func(domains []ServerDomain, ips []ServerIP) ([]ServerDomain, []ServerIP)) {
	d, ips := s.ServerDomainIP()
	s.SetServerDomainIP(f(d, ips))
}
