package wecom

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSecurityImportDevices(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.1 (DOC/98920).
	handle(t, mux, "security/trustdevice/import", "POST", `{"device_list":[
		{"system":"Windows","mac_addr":["50:81:40:29:33:CB","AC:50:DE:1D:8B:84"],"motherboard_uuid":"MB_UUID",
		 "harddisk_uuid":["HD_UUID1"],"domain":"WORK","pc_name":"PC1"},
		{"system":"Mac","seq_no":"SEQ_NO","mac_addr":["A8:A1:59:45:9E:A5"]}]}`, nil,
		`{"errcode":0,"errmsg":"ok","result":[{"device_index":1,"device_code":"49nNtYq","status":1},`+
			`{"device_index":2,"status":2,"duplicated_device_code":"rjDTnOh"}]}`)
	got, err := c.Security.ImportDevices(t.Context(), []DeviceImport{
		{System: "Windows", MacAddr: []string{"50:81:40:29:33:CB", "AC:50:DE:1D:8B:84"}, MotherboardUUID: "MB_UUID",
			HarddiskUUID: []string{"HD_UUID1"}, Domain: "WORK", PCName: "PC1"},
		{System: "Mac", SeqNo: "SEQ_NO", MacAddr: []string{"A8:A1:59:45:9E:A5"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []DeviceImportResult{
		{DeviceIndex: 1, DeviceCode: "49nNtYq", Status: ImportOK},
		{DeviceIndex: 2, Status: ImportDuplicate, DuplicatedDeviceCode: "rjDTnOh"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ImportDevices mismatch (-want +got):\n%s", diff)
	}
}

// deviceJSON and device are one device as trustdevice/list and get_by_user return it.
const deviceJSON = `{"device_code":"49nNtYq","system":"Windows","mac_addr":["50:81:40:29:33:CB"],
	"motherboard_uuid":"MB_UUID","harddisk_uuid":["HD_UUID1"],"domain":"WORK","pc_name":"PC1","seq_no":"",
	"last_login_time":1715741759,"last_login_userid":"zhangsan","confirm_timestamp":1715741000,
	"confirm_userid":"zhangsan","approved_userid":"admin","source":2,"status":5}`

var device = Device{
	DeviceCode: "49nNtYq", System: "Windows", MacAddr: []string{"50:81:40:29:33:CB"}, MotherboardUUID: "MB_UUID",
	HarddiskUUID: []string{"HD_UUID1"}, Domain: "WORK", PCName: "PC1", LastLoginTime: 1715741759,
	LastLoginUserID: "zhangsan", ConfirmTimestamp: 1715741000, ConfirmUserID: "zhangsan", ApprovedUserID: "admin",
	Source: DeviceSourceAdminImport, Status: DeviceConfirmedCorp,
}

func TestSecurityListDevices(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "security/trustdevice/list", "POST", `{"cursor":"CURSOR","limit":100,"type":1}`, nil,
		`{"errcode":0,"errmsg":"ok","device_list":[`+deviceJSON+`],"next_cursor":"NEXT"}`)
	got, err := c.Security.ListDevices(t.Context(), &ListDevicesOptions{Type: DeviceTrustedCorp, Cursor: "CURSOR", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := &DevicePage{Devices: []Device{device}, NextCursor: "NEXT"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListDevices mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityAllDevices(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var (
		mu      sync.Mutex
		cursors []string
	)
	mux.HandleFunc("/cgi-bin/security/trustdevice/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testAccessToken(t, r)
		var body struct {
			Cursor string `json:"cursor"`
			Type   int    `json:"type"`
		}
		b := readJSON(t, r, &body)
		if body.Type != 2 {
			t.Errorf("type = %d; want 2 (body %s)", body.Type, b)
		}
		mu.Lock()
		cursors = append(cursors, body.Cursor)
		mu.Unlock()
		next := map[string]string{"": "p2", "p2": "p3", "p3": ""}[body.Cursor]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","device_list":[{"device_code":"d%s"},{"device_code":"e%s"}],"next_cursor":%q}`,
			body.Cursor, body.Cursor, next)
	})
	var got []string
	for d, err := range c.Security.AllDevices(t.Context(), DeviceUnknown) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.DeviceCode)
	}
	if diff := cmp.Diff([]string{"d", "e", "dp2", "ep2", "dp3", "ep3"}, got); diff != "" {
		t.Errorf("AllDevices mismatch (-want +got):\n%s", diff)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff([]string{"", "p2", "p3"}, cursors); diff != "" {
		t.Errorf("cursors mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityAllDevices_validationError(t *testing.T) {
	t.Parallel()
	c, _, n := setupCounting(t)
	for _, err := range c.Security.AllDevices(t.Context(), DeviceType(9)) {
		wantValidation(t, err, "security/trustdevice/list", "type")
		break
	}
	noRequests(t, n)
}

func TestSecurityGetDevicesByUser(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "security/trustdevice/get_by_user", "POST", `{"last_login_userid":"zhangsan","type":1}`, nil,
		`{"errcode":0,"errmsg":"ok","device_list":[`+deviceJSON+`]}`)
	got, err := c.Security.GetDevicesByUser(t.Context(), "zhangsan", DeviceTrustedCorp)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Device{device}, got); diff != "" {
		t.Errorf("GetDevicesByUser mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityDeleteDevices(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "security/trustdevice/delete", "POST", `{"type":1,"device_code_list":["49nNtYq","rjDTnOh"]}`, nil,
		`{"errcode":0,"errmsg":"ok"}`)
	if err := c.Security.DeleteDevices(t.Context(), DeviceTrustedCorp, []string{"49nNtYq", "rjDTnOh"}); err != nil {
		t.Fatal(err)
	}
}

func TestSecurityApproveRejectDevices(t *testing.T) {
	t.Parallel()
	want := &DeviceDecision{SuccessList: []string{"49nNtYq"}, FailList: []string{"rjDTnOh"}}
	for _, tc := range []struct {
		path string
		call func(c *Client) (*DeviceDecision, error)
	}{
		{"security/trustdevice/approve", func(c *Client) (*DeviceDecision, error) {
			return c.Security.ApproveDevices(t.Context(), []string{"49nNtYq", "rjDTnOh"})
		}},
		{"security/trustdevice/reject", func(c *Client) (*DeviceDecision, error) {
			return c.Security.RejectDevices(t.Context(), []string{"49nNtYq", "rjDTnOh"})
		}},
	} {
		c, mux := setup(t)
		handle(t, mux, tc.path, "POST", `{"device_code_list":["49nNtYq","rjDTnOh"]}`, nil,
			`{"errcode":0,"errmsg":"ok","success_list":["49nNtYq"],"fail_list":["rjDTnOh"]}`)
		got, err := tc.call(c)
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tc.path, diff)
		}
	}
}

func TestSecurityDevices_validation(t *testing.T) {
	t.Parallel()
	codes := func(n int) []string { return make([]string, n) }
	devices := func(n int) []DeviceImport {
		d := make([]DeviceImport, n)
		for i := range d {
			d[i] = DeviceImport{System: "Mac", SeqNo: "s"}
		}
		return d
	}
	runValidation(t, "security/trustdevice/import", []validationCase{
		{"none", "device_list", func(c *Client) error { _, err := c.Security.ImportDevices(t.Context(), nil); return err }},
		{"101", "device_list", func(c *Client) error { _, err := c.Security.ImportDevices(t.Context(), devices(101)); return err }},
		{"windows without mac", "device_list[0].mac_addr", func(c *Client) error {
			_, err := c.Security.ImportDevices(t.Context(), []DeviceImport{{System: "Windows"}})
			return err
		}},
		{"mac without seq_no", "device_list[1].seq_no", func(c *Client) error {
			_, err := c.Security.ImportDevices(t.Context(), []DeviceImport{{System: "Mac", SeqNo: "s"}, {System: "Mac"}})
			return err
		}},
		{"no system", "device_list[0].system", func(c *Client) error {
			_, err := c.Security.ImportDevices(t.Context(), []DeviceImport{{}})
			return err
		}},
	})
	runValidation(t, "security/trustdevice/list", []validationCase{
		{"nil options", "type", func(c *Client) error { _, err := c.Security.ListDevices(t.Context(), nil); return err }},
		{"bad type", "type", func(c *Client) error {
			_, err := c.Security.ListDevices(t.Context(), &ListDevicesOptions{Type: 4})
			return err
		}},
		{"limit 101", "limit", func(c *Client) error {
			_, err := c.Security.ListDevices(t.Context(), &ListDevicesOptions{Type: 1, Limit: 101})
			return err
		}},
	})
	runValidation(t, "security/trustdevice/get_by_user", []validationCase{
		{"no user", "last_login_userid", func(c *Client) error { _, err := c.Security.GetDevicesByUser(t.Context(), "", 1); return err }},
		{"no type", "type", func(c *Client) error { _, err := c.Security.GetDevicesByUser(t.Context(), "u", 0); return err }},
	})
	runValidation(t, "security/trustdevice/delete", []validationCase{
		{"no type", "type", func(c *Client) error { return c.Security.DeleteDevices(t.Context(), 0, codes(1)) }},
		{"none", "device_code_list", func(c *Client) error { return c.Security.DeleteDevices(t.Context(), 1, nil) }},
		{"101", "device_code_list", func(c *Client) error { return c.Security.DeleteDevices(t.Context(), 1, codes(101)) }},
	})
	runValidation(t, "security/trustdevice/approve", []validationCase{
		{"101", "device_code_list", func(c *Client) error { _, err := c.Security.ApproveDevices(t.Context(), codes(101)); return err }},
	})
	runValidation(t, "security/trustdevice/reject", []validationCase{
		{"none", "device_code_list", func(c *Client) error { _, err := c.Security.RejectDevices(t.Context(), nil); return err }},
	})
}

func TestSecurityListMemberOperLogs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.2 (DOC/100178).
	handle(t, mux, "security/member_oper_log/list", "POST",
		`{"start_time":1724256000,"end_time":1724860799,"oper_type":1,"userid":"sam","cursor":"xxxxx","limit":2}`, nil,
		`{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"yyyyy","record_list":[
			{"time":1724256100,"userid":"sam","oper_type":1,"detail_info":"添加外部联系人: 陈客户","ip":"10.0.0.1"},
			{"time":1724256200,"userid":"sam","oper_type":4,"detail_info":"新设备登录","ip":"10.0.0.2"}]}`)
	got, err := c.Security.ListMemberOperLogs(t.Context(), &OperLogOptions{StartTime: 1724256000, EndTime: 1724860799,
		OperType: int(MemberAddExternalContact), UserID: "sam", Cursor: "xxxxx", Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := &MemberOperLogPage{HasMore: true, NextCursor: "yyyyy", Records: []MemberOperLog{
		{Time: 1724256100, UserID: "sam", OperType: MemberAddExternalContact, DetailInfo: "添加外部联系人: 陈客户", IP: "10.0.0.1"},
		{Time: 1724256200, UserID: "sam", OperType: MemberNewDeviceLogin, DetailInfo: "新设备登录", IP: "10.0.0.2"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListMemberOperLogs mismatch (-want +got):\n%s", diff)
	}
}

// pagedHandler answers a cursor-paged POST API with three pages of records built by record(page cursor, i),
// checking that every request carries wantFixed (the body minus cursor).
func pagedHandler(t *testing.T, wantFixed string, record func(cursor string, i int) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testAccessToken(t, r)
		var body map[string]any
		readJSON(t, r, &body)
		cursor, _ := body["cursor"].(string)
		delete(body, "cursor")
		var want map[string]any
		decodeString(t, wantFixed, &want)
		if diff := cmp.Diff(want, body); diff != "" {
			t.Errorf("body mismatch (-want +got):\n%s", diff)
		}
		next := map[string]string{"": "c2", "c2": "c3", "c3": ""}[cursor]
		fmt.Fprintf(w, `{"errcode":0,"errmsg":"ok","has_more":%t,"next_cursor":%q,"record_list":[%s,%s]}`,
			next != "", next, record(cursor, 0), record(cursor, 1))
	}
}

func TestSecurityAllMemberOperLogs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/security/member_oper_log/list", pagedHandler(t,
		`{"start_time":1724256000,"end_time":1724860799}`,
		func(cursor string, i int) string {
			return fmt.Sprintf(`{"time":%d,"userid":"u%s","oper_type":4}`, i, cursor)
		}))
	var got []string
	for rec, err := range c.Security.AllMemberOperLogs(t.Context(), OperLogOptions{StartTime: 1724256000,
		EndTime: 1724860799, Cursor: "ignored"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s/%d/%d", rec.UserID, rec.Time, rec.OperType))
	}
	want := []string{"u/0/4", "u/1/4", "uc2/0/4", "uc2/1/4", "uc3/0/4", "uc3/1/4"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AllMemberOperLogs mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityListAdminOperLogs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "security/admin_oper_log/list", "POST",
		`{"start_time":1724256000,"end_time":1724860799,"oper_type":2,"userid":"admin","limit":400}`, nil,
		`{"errcode":0,"errmsg":"ok","has_more":false,"next_cursor":"","record_list":[
			{"time":1724256300,"userid":"admin","oper_type":2,"detail_type":201,"detail_info":"添加管理员 lisi","ip":"10.1.1.1"}]}`)
	got, err := c.Security.ListAdminOperLogs(t.Context(), &OperLogOptions{StartTime: 1724256000, EndTime: 1724860799,
		OperType: int(AdminPermissionChange), UserID: "admin", Limit: 400})
	if err != nil {
		t.Fatal(err)
	}
	want := &AdminOperLogPage{Records: []AdminOperLog{{Time: 1724256300, UserID: "admin", OperType: AdminPermissionChange,
		DetailType: 201, DetailInfo: "添加管理员 lisi", IP: "10.1.1.1"}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListAdminOperLogs mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityAllAdminOperLogs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/security/admin_oper_log/list", pagedHandler(t,
		`{"start_time":100,"end_time":200,"userid":"admin"}`,
		func(cursor string, i int) string {
			return fmt.Sprintf(`{"time":%d,"userid":"admin","oper_type":3,"detail_type":%d,"detail_info":"%s"}`, i, i, cursor)
		}))
	var got []string
	for rec, err := range c.Security.AllAdminOperLogs(t.Context(), OperLogOptions{StartTime: 100, EndTime: 200, UserID: "admin"}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.DetailInfo+fmt.Sprint(rec.DetailType))
	}
	if diff := cmp.Diff([]string{"0", "1", "c20", "c21", "c30", "c31"}, got); diff != "" {
		t.Errorf("AllAdminOperLogs mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityOperLogs_validation(t *testing.T) {
	t.Parallel()
	const week = 7 * 24 * 3600
	member := func(o *OperLogOptions) func(c *Client) error {
		return func(c *Client) error { _, err := c.Security.ListMemberOperLogs(t.Context(), o); return err }
	}
	admin := func(o *OperLogOptions) func(c *Client) error {
		return func(c *Client) error { _, err := c.Security.ListAdminOperLogs(t.Context(), o); return err }
	}
	runValidation(t, "security/member_oper_log/list", []validationCase{
		{"nil", "start_time", member(nil)},
		{"no start", "start_time", member(&OperLogOptions{EndTime: 10})},
		{"no end", "end_time", member(&OperLogOptions{StartTime: 10})},
		{"end before start", "end_time", member(&OperLogOptions{StartTime: 10, EndTime: 9})},
		{"span over 7 days", "end_time", member(&OperLogOptions{StartTime: 10, EndTime: 10 + week + 1})},
		{"limit 401", "limit", member(&OperLogOptions{StartTime: 10, EndTime: 20, Limit: 401})},
		{"negative limit", "limit", member(&OperLogOptions{StartTime: 10, EndTime: 20, Limit: -1})},
		{"negative oper_type", "oper_type", member(&OperLogOptions{StartTime: 10, EndTime: 20, OperType: -1})},
	})
	runValidation(t, "security/admin_oper_log/list", []validationCase{
		{"span over 7 days", "end_time", admin(&OperLogOptions{StartTime: 10, EndTime: 10 + week + 1})},
		{"limit 401", "limit", admin(&OperLogOptions{StartTime: 10, EndTime: 20, Limit: 401})},
	})
	// Exactly 7 days is allowed.
	c, mux := setup(t)
	handle(t, mux, "security/member_oper_log/list", "POST", fmt.Sprintf(`{"start_time":10,"end_time":%d}`, 10+week),
		nil, `{"errcode":0,"errmsg":"ok","has_more":false,"record_list":[]}`)
	if _, err := c.Security.ListMemberOperLogs(t.Context(), &OperLogOptions{StartTime: 10, EndTime: 10 + week}); err != nil {
		t.Errorf("7-day window: %v", err)
	}
}

func TestSecurityListFileOperRecords(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.2 (DOC/98079).
	handle(t, mux, "security/get_file_oper_record", "POST",
		`{"start_time":1668000000,"end_time":1668600000,"userid_list":["zhangsan"],"operation":{"type":103,"source":401},`+
			`"cursor":"CURSOR","limit":100}`, nil,
		`{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"NEXT","record_list":[
			{"time":1668000100,"userid":"zhangsan","operation":{"type":103,"source":401},"file_info":"a.pdf",
			 "file_size":405842,"file_md5":"6d5b5e1fab6b3d5b9d8e1c2f3a4b5c6d","applicant_name":"","device_type":1,"device_code":"49nNtYq"},
			{"time":1668000200,"external_user":{"type":2,"name":"林伙伴","corp_name":"合作伙伴有限公司"},
			 "operation":{"type":101,"source":401},"file_info":"b.docx","file_size":1024,"file_md5":"aa"}]}`)
	got, err := c.Security.ListFileOperRecords(t.Context(), &FileOperRecordOptions{StartTime: 1668000000, EndTime: 1668600000,
		UserIDs: []string{"zhangsan"}, Operation: &FileOperation{Type: FileDownload, Source: FileSourceChat},
		Cursor: "CURSOR", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := &FileOperRecordPage{HasMore: true, NextCursor: "NEXT", Records: []FileOperRecord{
		{Time: 1668000100, UserID: "zhangsan", Operation: FileOperation{Type: FileDownload, Source: FileSourceChat},
			FileInfo: "a.pdf", FileSize: 405842, FileMD5: "6d5b5e1fab6b3d5b9d8e1c2f3a4b5c6d", DeviceType: 1, DeviceCode: "49nNtYq"},
		{Time: 1668000200, ExternalUser: &FileExternalUser{Type: 2, Name: "林伙伴", CorpName: "合作伙伴有限公司"},
			Operation: FileOperation{Type: FileUpload, Source: FileSourceChat}, FileInfo: "b.docx", FileSize: 1024, FileMD5: "aa"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListFileOperRecords mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityAllFileOperRecords(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/security/get_file_oper_record", pagedHandler(t,
		`{"start_time":100,"end_time":200,"operation":{"type":103}}`,
		func(cursor string, i int) string {
			return fmt.Sprintf(`{"time":%d,"userid":"u","file_info":"f%s","operation":{"type":103,"source":404}}`, i, cursor)
		}))
	var got []string
	for rec, err := range c.Security.AllFileOperRecords(t.Context(), FileOperRecordOptions{StartTime: 100, EndTime: 200,
		Operation: &FileOperation{Type: FileDownload}}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.FileInfo)
	}
	if diff := cmp.Diff([]string{"f", "f", "fc2", "fc2", "fc3", "fc3"}, got); diff != "" {
		t.Errorf("AllFileOperRecords mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityFileOperRecords_validation(t *testing.T) {
	t.Parallel()
	const fortnight = 14 * 24 * 3600
	list := func(o *FileOperRecordOptions) func(c *Client) error {
		return func(c *Client) error { _, err := c.Security.ListFileOperRecords(t.Context(), o); return err }
	}
	runValidation(t, "security/get_file_oper_record", []validationCase{
		{"nil", "start_time", list(nil)},
		{"span over 14 days", "end_time", list(&FileOperRecordOptions{StartTime: 1, EndTime: 1 + fortnight + 1})},
		{"101 users", "userid_list", list(&FileOperRecordOptions{StartTime: 1, EndTime: 2, UserIDs: make([]string, 101)})},
		{"limit 1001", "limit", list(&FileOperRecordOptions{StartTime: 1, EndTime: 2, Limit: 1001})},
	})
}

func TestSecurityListScreenOperRecords(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// DOC/100128's samples.
	handle(t, mux, "security/get_screen_oper_record", "POST",
		`{"start_time":166666666,"end_time":166666667,"userid_list":["zhangsan","lisi"],"department_id_list":[2,3],`+
			`"screen_shot_type":1,"cursor":"ngLgjieajgieo","limit":100}`, nil,
		`{"errcode":0,"errmsg":"ok","has_more":true,"next_cursor":"gejMjgLjgeigoejg","record_list":[
			{"time":16666666666,"userid":"zhangsan","department_id":2,"screen_shot_type":1,"screen_shot_content":"聊天","system":"iPad"},
			{"time":16666666666,"userid":"lisi","department_id":3,"screen_shot_type":4,"screen_shot_content":"文件(防泄露文件:test.pdf)","system":"iOS"}]}`)
	got, err := c.Security.ListScreenOperRecords(t.Context(), &ScreenOperRecordOptions{StartTime: 166666666,
		EndTime: 166666667, UserIDs: []string{"zhangsan", "lisi"}, DepartmentIDs: []int{2, 3},
		ScreenShotType: ScreenShotChat, Cursor: "ngLgjieajgieo", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := &ScreenOperRecordPage{HasMore: true, NextCursor: "gejMjgLjgeigoejg", Records: []ScreenOperRecord{
		{Time: 16666666666, UserID: "zhangsan", DepartmentID: 2, ScreenShotType: ScreenShotChat, ScreenShotContent: "聊天", System: "iPad"},
		{Time: 16666666666, UserID: "lisi", DepartmentID: 3, ScreenShotType: ScreenShotFile,
			ScreenShotContent: "文件(防泄露文件:test.pdf)", System: "iOS"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListScreenOperRecords mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityAllScreenOperRecords(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc("/cgi-bin/security/get_screen_oper_record", pagedHandler(t, `{"start_time":100,"end_time":200}`,
		func(cursor string, i int) string {
			return fmt.Sprintf(`{"time":%d,"userid":"u%s","screen_shot_type":6}`, i, cursor)
		}))
	n := 0
	for rec, err := range c.Security.AllScreenOperRecords(t.Context(), ScreenOperRecordOptions{StartTime: 100, EndTime: 200}) {
		if err != nil {
			t.Fatal(err)
		}
		if rec.ScreenShotType != ScreenShotOther {
			t.Errorf("record %d type %v", n, rec.ScreenShotType)
		}
		n++
	}
	if n != 6 {
		t.Errorf("AllScreenOperRecords yielded %d records; want 6", n)
	}
}

func TestSecurityScreenOperRecords_validation(t *testing.T) {
	t.Parallel()
	const fortnight = 14 * 24 * 3600
	list := func(o *ScreenOperRecordOptions) func(c *Client) error {
		return func(c *Client) error { _, err := c.Security.ListScreenOperRecords(t.Context(), o); return err }
	}
	runValidation(t, "security/get_screen_oper_record", []validationCase{
		{"nil", "start_time", list(nil)},
		{"span over 14 days", "end_time", list(&ScreenOperRecordOptions{StartTime: 1, EndTime: 1 + fortnight + 1})},
		{"101 users", "userid_list", list(&ScreenOperRecordOptions{StartTime: 1, EndTime: 2, UserIDs: make([]string, 101)})},
		{"101 departments", "department_id_list",
			list(&ScreenOperRecordOptions{StartTime: 1, EndTime: 2, DepartmentIDs: make([]int, 101)})},
		{"limit 1001", "limit", list(&ScreenOperRecordOptions{StartTime: 1, EndTime: 2, Limit: 1001})},
	})
}

func TestSecurityGetServerDomainIP(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.3 (DOC/100079), with its misspelt universal_domian.
	handle(t, mux, "security/get_server_domain_ip", "GET", "", nil, `{"errcode":0,"errmsg":"ok",
		"domain_list":[{"domain":"i.work.weixin.qq.com","universal_domian":"work.weixin.qq.com","protocol":"TCP",
		  "port":[443,80],"is_necessary":1,"description":"企业微信基础服务"}],
		"ip_list":[{"ip":"115.238.203.109","protocol":"TCP","port":[443,80],"is_necessary":0,"description":"音视频"}]}`)
	got, err := c.Security.GetServerDomainIP(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := &ServerDomainIP{
		DomainList: []ServerDomain{{Domain: "i.work.weixin.qq.com", UniversalDomain: "work.weixin.qq.com", Protocol: "TCP",
			Port: []int{443, 80}, IsNecessary: 1, Description: "企业微信基础服务"}},
		IPList: []ServerIP{{IP: "115.238.203.109", Protocol: "TCP", Port: []int{443, 80}, Description: "音视频"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetServerDomainIP mismatch (-want +got):\n%s", diff)
	}
}

func TestSecurityEnums(t *testing.T) {
	t.Parallel()
	testEnums(t, []enumCase{
		{DeviceAwaitingCorpConfirmation, "awaiting admin confirmation as enterprise device (待管理员确认为企业设备)"},
		{DeviceConfirmedPersonal, "confirmed trusted personal device (已确认为可信个人设备)"},
		{DeviceStatus(0), "DeviceStatus(0)"},
		{DeviceTrustedCorp, "trusted enterprise device (可信企业设备)"},
		{DeviceUnknown, "unknown device (未知设备)"},
		{DeviceType(4), "DeviceType(4)"},
		{DeviceSourceMemberDeclare, "declared by member (成员自主申报)"},
		{DeviceSourceUnknown, "unknown (未知)"},
		{ImportDuplicate, "already imported (重复导入)"},
		{MemberNewDeviceLogin, "logged in on a new device (新设备登录)"},
		{MemberDeviceLocked, "locked a device (锁定设备)"},
		{MemberOperType(10), "MemberOperType(10)"},
		{AdminPermissionChange, "permission change (权限管理变更)"},
		{AdminExternalContactManage, "external contact management (外部联系人管理)"},
		{FileDownload, "download (下载)"},
		{FileOperType(102), "FileOperType(102)"},
		{FileSourceDrive, "drive (微盘)"},
		{ScreenShotFile, "file (文件)"},
	})
	for _, tc := range []struct {
		s    stringer
		want string
	}{{DeviceAwaitingCorpConfirmation, "待管理员确认为企业设备"}} {
		if !strings.Contains(tc.s.String(), tc.want) {
			t.Errorf("%v lacks the Chinese text %q", tc.s, tc.want)
		}
	}
}
func TestTrimLabel(t *testing.T) {
	for _, c := range []struct{ kind, detail, want string }{
		{"logged in on a new device (新设备登录)", "新设备登录：Windows DESKTOP-7QK2M", "Windows DESKTOP-7QK2M"},
		{"bound a WeChat account (绑定微信号)", "绑定微信号", ""},
		{"added an external contact (添加外部联系人)", "添加外部联系人：林伙伴", "林伙伴"},
		{"locked a device (锁定设备)", "解锁：Android", "解锁：Android"}, // another label: kept
		{"kind 42", "新设备登录：x", "新设备登录：x"},
	} {
		if got := TrimLabel(c.kind, c.detail); got != c.want {
			t.Errorf("TrimLabel(%q, %q) = %q; want %q", c.kind, c.detail, got, c.want)
		}
	}
}
