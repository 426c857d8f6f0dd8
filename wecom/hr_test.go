package wecom

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHRGetFields(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.7 (DOC/99131), with the value_type and option_list SKIT's sample shows.
	handle(t, mux, "hr/get_fields", "GET", "", nil, `{"errcode":0,"errmsg":"ok","group_list":[
		{"group_id":1001,"group_name":"个人信息","field_list":[
			{"fieldid":11001,"field_name":"姓名","field_type":1,"is_must":true,"value_type":1},
			{"fieldid":11005,"field_name":"性别","field_type":2,"is_must":false,"value_type":3,
			 "option_list":[{"id":1,"value":"男"},{"id":2,"value":"女"}]}]}]}`)
	got, err := c.HR.GetFields(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []HRFieldGroup{{GroupID: 1001, GroupName: "个人信息", FieldList: []HRField{
		{FieldID: 11001, FieldName: "姓名", FieldType: HRFieldText, IsMust: true, ValueType: HRValueString},
		{FieldID: 11005, FieldName: "性别", FieldType: HRFieldOption, ValueType: HRValueUint32,
			OptionList: []HROption{{ID: 1, Value: "男"}, {ID: 2, Value: "女"}}},
	}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetFields mismatch (-want +got):\n%s", diff)
	}
}

func TestHRGetStaffInfo(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.7 (DOC/99132).
	handle(t, mux, "hr/get_staff_info", "POST", `{"userid":"xxxxx","fieldids":[{"fieldid":11004,"sub_idx":0}]}`, nil,
		`{"errcode":0,"errmsg":"ok","field_info":[
			{"fieldid":11004,"sub_idx":0,"result":1,"value_type":3,"value_uint32":1},
			{"fieldid":11001,"sub_idx":0,"result":1,"value_type":1,"value_string":"张三"},
			{"fieldid":11007,"sub_idx":0,"result":1,"value_type":2,"value_uint64":1577808000},
			{"fieldid":11008,"sub_idx":0,"result":1,"value_type":4,"value_int64":-5},
			{"fieldid":11009,"sub_idx":0,"result":1,"value_type":5,"value_mobile":{"value_country_code":"86","value_mobile":"13800000001"}},
			{"fieldid":11010,"sub_idx":0,"result":1,"value_type":5,"value_mobile":{"value_mobile_country_code":"852","value_mobile":"61234567"}},
			{"fieldid":14001,"sub_idx":1,"result":1,"value_type":6,"value_file":{"media_id":["m1","m2"]}},
			{"fieldid":99999,"sub_idx":0,"result":3}]}`)
	got, err := c.HR.GetStaffInfo(t.Context(), &GetStaffInfoRequest{UserID: "xxxxx",
		FieldIDs: []HRFieldRef{{FieldID: 11004}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []StaffField{
		{FieldID: 11004, Result: HROK, ValueType: HRValueUint32, ValueUint32: 1},
		{FieldID: 11001, Result: HROK, ValueType: HRValueString, ValueString: "张三"},
		{FieldID: 11007, Result: HROK, ValueType: HRValueUint64, ValueUint64: 1577808000},
		{FieldID: 11008, Result: HROK, ValueType: HRValueInt64, ValueInt64: -5},
		{FieldID: 11009, Result: HROK, ValueType: HRValueMobile, ValueMobile: &HRMobile{CountryCode: "86", Mobile: "13800000001"}},
		{FieldID: 11010, Result: HROK, ValueType: HRValueMobile, ValueMobile: &HRMobile{CountryCode: "852", Mobile: "61234567"}},
		{FieldID: 14001, SubIdx: 1, Result: HROK, ValueType: HRValueFile, ValueFile: &HRFile{MediaIDs: []string{"m1", "m2"}}},
		{FieldID: 99999, Result: HRNotFound},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetStaffInfo mismatch (-want +got):\n%s", diff)
	}
}

func TestHRGetStaffInfo_getAll(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "hr/get_staff_info", "POST", `{"userid":"lisi","get_all":true}`, nil,
		`{"errcode":0,"errmsg":"ok","field_info":[]}`)
	got, err := c.HR.GetStaffInfo(t.Context(), &GetStaffInfoRequest{UserID: "lisi", GetAll: true})
	if err != nil || len(got) != 0 {
		t.Fatalf("GetStaffInfo = %v, %v; want empty", got, err)
	}
}

func TestHRUpdateStaffInfo(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// wecom-protocol.md §5.7 (DOC/99133): the sample answer uses insert_result.
	handle(t, mux, "hr/update_staff_info", "POST", `{"userid":"zhangsan",
		"update_items":[{"fieldid":11001,"sub_idx":0,"value_string":"张三丰"},
		                {"fieldid":11009,"sub_idx":0,"value_mobile":{"value_mobile_country_code":"86","value_mobile":"13800000002"}},
		                {"fieldid":11007,"sub_idx":0,"value_uint64":1577808000}],
		"remove_items":[{"group_type":1,"sub_idx":2}],
		"insert_items":[{"group_type":4,"item":[{"fieldid":17001,"sub_idx":0,"value_string":"李四"},
		                                        {"fieldid":17003,"sub_idx":0,"value_file":{"media_id":[]}}]}]}`, nil,
		`{"errcode":0,"errmsg":"ok","update_results":[{"fieldid":11001,"sub_idx":0,"result":1}],
		  "remove_results":[{"group_type":1,"sub_idx":2,"result":1}],
		  "insert_result":[{"group_type":4,"idx":1,"result":4}]}`)
	got, err := c.HR.UpdateStaffInfo(t.Context(), &UpdateStaffInfoRequest{
		UserID: "zhangsan",
		UpdateItems: []StaffFieldValue{
			{FieldID: 11001, ValueType: HRValueString, String: "张三丰"},
			{FieldID: 11009, ValueType: HRValueMobile, Mobile: HRMobile{CountryCode: "86", Mobile: "13800000002"}},
			{FieldID: 11007, ValueType: HRValueUint64, Uint64: 1577808000},
		},
		RemoveItems: []HRGroupItem{{GroupType: HRGroupEducation, SubIdx: 2}},
		InsertItems: []HRInsertItem{{GroupType: HRGroupEmergencyContact, Item: []StaffFieldValue{
			{FieldID: 17001, ValueType: HRValueString, String: "李四"},
			{FieldID: 17003, ValueType: HRValueFile},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &UpdateStaffInfoResult{
		UpdateResults: []HRFieldResult{{FieldID: 11001, Result: HROK}},
		RemoveResults: []HRGroupResult{{GroupType: HRGroupEducation, SubIdx: 2, Result: HROK}},
		InsertResults: []HRInsertResult{{GroupType: HRGroupEmergencyContact, Idx: 1, Result: HRRequiredEmpty}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("UpdateStaffInfo mismatch (-want +got):\n%s", diff)
	}
}

func TestHRUpdateStaffInfoResult_insertResults(t *testing.T) {
	t.Parallel()
	// The parameter table's spelling.
	var r UpdateStaffInfoResult
	if err := json.Unmarshal([]byte(`{"insert_results":[{"group_type":2,"idx":0,"result":1}]}`), &r); err != nil {
		t.Fatal(err)
	}
	want := UpdateStaffInfoResult{InsertResults: []HRInsertResult{{GroupType: HRGroupWorkHistory, Result: HROK}}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestHR_validation(t *testing.T) {
	t.Parallel()
	get := func(r *GetStaffInfoRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.HR.GetStaffInfo(t.Context(), r); return err }
	}
	update := func(r *UpdateStaffInfoRequest) func(c *Client) error {
		return func(c *Client) error { _, err := c.HR.UpdateStaffInfo(t.Context(), r); return err }
	}
	runValidation(t, "hr/get_staff_info", []validationCase{
		{"nil", "userid", get(nil)},
		{"no userid", "userid", get(&GetStaffInfoRequest{GetAll: true})},
		{"no fields", "fieldids", get(&GetStaffInfoRequest{UserID: "u"})},
	})
	runValidation(t, "hr/update_staff_info", []validationCase{
		{"nil", "userid", update(nil)},
		{"no userid", "userid", update(&UpdateStaffInfoRequest{RemoveItems: []HRGroupItem{{GroupType: 1}}})},
		{"nothing", "update_items", update(&UpdateStaffInfoRequest{UserID: "u"})},
		{"age", "update_items[0]", update(&UpdateStaffInfoRequest{UserID: "u",
			UpdateItems: []StaffFieldValue{{FieldID: HRFieldAge, ValueType: HRValueUint32}}})},
		{"staff status in insert", "insert_items[0].item[1]", update(&UpdateStaffInfoRequest{UserID: "u",
			InsertItems: []HRInsertItem{{GroupType: 1, Item: []StaffFieldValue{
				{FieldID: 1, ValueType: HRValueString}, {FieldID: HRFieldStaffStatus, ValueType: HRValueUint32}}}}})},
		{"no value type", "update_items[0]", update(&UpdateStaffInfoRequest{UserID: "u",
			UpdateItems: []StaffFieldValue{{FieldID: 11001}}})},
	})
}

func TestHREnums(t *testing.T) {
	t.Parallel()
	testEnums(t, []enumCase{
		{HRFieldText, "text (文本)"},
		{HRFieldFiles, "files (多文件)"},
		{HRFieldType(7), "HRFieldType(7)"},
		{HRValueMobile, "mobile"},
		{HRValueType(0), "HRValueType(0)"},
		{HRRequiredEmpty, "required field missing or cleared (必填字段未填写/被清空)"},
		{HRGroupContract, "contracts (合同信息)"},
	})
}
