package people

import (
	"strings"
	"testing"
	"time"

	"github.com/wecombot/wecombot/wecom"
)

var testFields = newHRFields([]wecom.HRFieldGroup{
	{GroupID: 1001, GroupName: "个人信息", FieldList: []wecom.HRField{
		{FieldID: 11001, FieldName: "姓名", FieldType: wecom.HRFieldText, ValueType: wecom.HRValueString, IsMust: true},
		{FieldID: 11003, FieldName: "手机", FieldType: wecom.HRFieldText, ValueType: wecom.HRValueMobile},
		{FieldID: 11005, FieldName: "出生日期", FieldType: wecom.HRFieldTime, ValueType: wecom.HRValueInt64},
		{FieldID: 11006, FieldName: "年龄", FieldType: wecom.HRFieldText, ValueType: wecom.HRValueString},
	}},
	{GroupID: 1002, GroupName: "在职信息", FieldList: []wecom.HRField{
		{FieldID: 12010, FieldName: "职位", FieldType: wecom.HRFieldOption, ValueType: wecom.HRValueUint32,
			OptionList: []wecom.HROption{{ID: 1, Value: "经理"}, {ID: 2, Value: "Engineer"}}},
		{FieldID: 12018, FieldName: "入职日期", FieldType: wecom.HRFieldTime}, // no value_type: uint64
	}},
	{GroupID: 1007, GroupName: "紧急联系人", FieldList: []wecom.HRField{
		{FieldID: 17001, FieldName: "姓名", FieldType: wecom.HRFieldText, ValueType: wecom.HRValueString},
	}},
	{GroupID: 1009, GroupName: "个人材料", FieldList: []wecom.HRField{
		{FieldID: 19001, FieldName: "身份证照片", FieldType: wecom.HRFieldImage, ValueType: wecom.HRValueFile},
	}},
})

func TestHRFieldsResolve(t *testing.T) {
	for _, c := range []struct {
		name string
		want int
		err  string
	}{
		{"姓名", 11001, ""}, // the first of that name
		{"紧急联系人.姓名", 17001, ""},
		{"紧急联系人/姓名", 17001, ""},
		{"12018", 12018, ""},
		{"engineer", 0, "no field `engineer`"},
		{"入职日", 0, "did you mean 入职日期?"},
		{"紧急联系人.名字", 0, "no field"},
		{"99999", 0, "no field with id 99999"},
	} {
		f, err := testFields.resolve(c.name)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("resolve(%q) = %v, %v; want an error saying %q", c.name, f, err, c.err)
		case c.err == "" && (err != nil || f.FieldID != c.want):
			t.Errorf("resolve(%q) = %v, %v; want field %d", c.name, f, err, c.want)
		}
	}
}

func TestStaffValue(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	march := time.Date(2024, 3, 1, 0, 0, 0, 0, loc).Unix()
	for _, c := range []struct {
		field, raw string
		want       string // the value as shown, or the error
	}{
		{"职位", "经理", "经理"},
		{"职位", "engineer", "Engineer"}, // options match without case
		{"职位", "2", "Engineer"},        // or by id
		{"职位", "CEO", "`CEO` is not one of its options: 经理, Engineer"},
		{"入职日期", "2024-03-01", "2024-03-01"},
		{"入职日期", "1969-12-31", "from 1970 on"},
		{"出生日期", "1969-12-31", "1969-12-31"}, // int64 dates go back before 1970
		{"入职日期", "tomorrow", "it is a date"},
		{"手机", "13800000001", "+86 13800000001"},
		{"手机", "+852-91234567", "+852 91234567"},
		{"手机", "call me", "not a mobile number"},
		{"姓名", "张 三", "张 三"},
		{"姓名", strings.Repeat("长", maxStaffText+1), "at most 1000 characters"},
		{"身份证照片", "x", "holds files"},
	} {
		f, err := testFields.resolve(c.field)
		if err != nil {
			t.Fatal(err)
		}
		v, err := staffValue(f, c.raw, loc)
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = staffShowValue(nil, f, staffAsRead(v), loc)
			got = strings.NewReplacer(`\+`, "+", `\-`, "-").Replace(got)
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("staffValue(%s, %q) = %q; want %q", c.field, c.raw, got, c.want)
		}
	}
	v, _ := staffValue(testFields.byID[12018], "2024-03-01", loc)
	if v.ValueType != wecom.HRValueUint64 || v.Uint64 != uint64(march) {
		t.Errorf("入职日期 2024-03-01 = %+v; want value_uint64 %d (midnight in the corp's zone)", v, march)
	}
}

func TestStaffCheckChange(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{"工位=A-3-12", ""},
		{"工位＝A-3-12", ""}, // full-width equals sign from a phone keyboard
		{"工位=a=b", ""},    // only the first = splits
		{"工位", "is not FIELD=VALUE"},
		{"=x", "names no field"},
		{"工位=", "has no value"},
		{"年龄=30", "年龄 is read-only"},
		{"11012=3", "11012 is read-only"},
		{"员工状态=正式", "员工状态 is read-only"},
	} {
		err := staffCheckChange(c.in)
		if (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("staffCheckChange(%q) = %v; want %q", c.in, err, c.err)
		}
	}
}
