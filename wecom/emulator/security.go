package emulator

// 安全管理: device management (DOC/98920), member and admin operation logs (DOC/100178, 100179), file-leak
// records (DOC/98079), screen-capture records (DOC/100128) and WeCom's own domains and IPs (DOC/100079).

import (
	"regexp"
	"slices"
	"strings"
	"time"
)

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
	p, err := admPaginate("dev", admFingerprint(req.Type), req.Cursor, len(match), req.Limit, admErrBadCursor())
	if err != nil {
		return nil, err
	}
	list := make([]trustDeviceJSON, 0, p.end-p.start)
	for _, d := range match[p.start:p.end] {
		list = append(list, d.json())
	}
	return obj{"device_list": list, "next_cursor": p.next}, nil
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

// admPageResult renders has_more/next_cursor the way the log APIs do: next_cursor only while there is more.
func admPageResult(p admPage, records any) obj {
	res := obj{"has_more": p.hasMore, "record_list": records}
	if p.hasMore {
		res["next_cursor"] = p.next
	}
	return res
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
	fp := admFingerprint(req.StartTime, req.EndTime, req.OperType, req.UserID)
	p, err := admPaginate("mlog", fp, req.Cursor, len(match), req.Limit, admErrBadCursor())
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
	list := make([]record, 0, p.end-p.start)
	for _, r := range match[p.start:p.end] {
		list = append(list, record{r.Time.Unix(), r.UserID, r.OperType, r.DetailInfo, r.IP})
	}
	return admPageResult(p, list), nil
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
	fp := admFingerprint(req.StartTime, req.EndTime, req.OperType, req.UserID)
	p, err := admPaginate("alog", fp, req.Cursor, len(match), req.Limit, admErrBadCursor())
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
	list := make([]record, 0, p.end-p.start)
	for _, r := range match[p.start:p.end] {
		list = append(list, record{r.Time.Unix(), r.UserID, r.OperType, r.DetailType, r.DetailInfo, r.IP})
	}
	return admPageResult(p, list), nil
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
	fp := admFingerprint(req.StartTime, req.EndTime, req.UserIDList, opType, opSource)
	p, err := admPaginate("file", fp, req.Cursor, len(match), req.Limit, errf(701105, "invalid cursor"))
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
	list := make([]record, 0, p.end-p.start)
	for _, r := range match[p.start:p.end] {
		out := record{Time: r.Time.Unix(), UserID: r.UserID, Operation: operation{r.OperType, r.OperSource},
			FileInfo: r.FileInfo, FileSize: r.FileSize, FileMD5: r.FileMD5, ApplicantName: r.ApplicantName,
			DeviceType: r.DeviceType, DeviceCode: r.DeviceCode}
		if r.ExternalUser != nil {
			out.ExternalUser = &externalUser{r.ExternalUser.Type, r.ExternalUser.Name, r.ExternalUser.CorpName}
		}
		list = append(list, out)
	}
	return admPageResult(p, list), nil
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
	fp := admFingerprint(req.StartTime, req.EndTime, req.UserIDList, req.DepartmentIDs, req.ScreenShotType)
	p, err := admPaginate("screen", fp, req.Cursor, len(match), req.Limit, admErrBadCursor())
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
	list := make([]record, 0, p.end-p.start)
	for _, r := range match[p.start:p.end] {
		list = append(list, record{r.Time.Unix(), r.UserID, r.DepartmentID, r.ScreenShotType, r.ScreenShotContent, r.System})
	}
	return admPageResult(p, list), nil
}

// getServerDomainIP is GET security/get_server_domain_ip (DOC/100079).
func (s *Server) getServerDomainIP(c *apiCall) (obj, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return obj{"domain_list": slices.Clone(s.org.admin.domains), "ip_list": slices.Clone(s.org.admin.ips)}, nil
}
