package wecom

import (
	"context"
	"encoding/json"
	"fmt"
)

// HRService reads and updates the staff roster (人事助手 - 花名册, hr/*). The app must be allowed to call the
// roster APIs in the admin console; members must be within its visibility.
type HRService service

// HRFieldType is a roster field's kind.
type HRFieldType int

// Roster field kinds.
const (
	HRFieldText   HRFieldType = 1
	HRFieldOption HRFieldType = 2
	HRFieldTime   HRFieldType = 3
	HRFieldImage  HRFieldType = 4
	HRFieldFile   HRFieldType = 5
	HRFieldFiles  HRFieldType = 6
)

var hrFieldTypeNames = map[HRFieldType]string{
	HRFieldText:   "text (文本)",
	HRFieldOption: "option (选项)",
	HRFieldTime:   "time (时间)",
	HRFieldImage:  "image (图片)",
	HRFieldFile:   "file (单文件)",
	HRFieldFiles:  "files (多文件)",
}

func (t HRFieldType) String() string { return enumName("HRFieldType", t, hrFieldTypeNames) }

// HRValueType says which value_* key carries a field's value.
type HRValueType int

// Value types.
const (
	HRValueString HRValueType = 1 // value_string
	HRValueUint64 HRValueType = 2 // value_uint64 (times are unix seconds here)
	HRValueUint32 HRValueType = 3 // value_uint32 (options are their id here)
	HRValueInt64  HRValueType = 4 // value_int64
	HRValueMobile HRValueType = 5 // value_mobile
	HRValueFile   HRValueType = 6 // value_file
)

var hrValueTypeNames = map[HRValueType]string{
	HRValueString: "string",
	HRValueUint64: "uint64",
	HRValueUint32: "uint32",
	HRValueInt64:  "int64",
	HRValueMobile: "mobile",
	HRValueFile:   "file",
}

func (t HRValueType) String() string { return enumName("HRValueType", t, hrValueTypeNames) }

// HRResult is the outcome for one field or group item.
type HRResult int

// Outcomes.
const (
	HROK            HRResult = 1
	HRFailed        HRResult = 2
	HRNotFound      HRResult = 3
	HRRequiredEmpty HRResult = 4
	HRUnsupported   HRResult = 5
)

var hrResultNames = map[HRResult]string{
	HROK:            "ok (成功)",
	HRFailed:        "failed (失败)",
	HRNotFound:      "field not found (字段未找到)",
	HRRequiredEmpty: "required field missing or cleared (必填字段未填写/被清空)",
	HRUnsupported:   "unsupported (不支持)",
}

func (r HRResult) String() string { return enumName("HRResult", r, hrResultNames) }

// HRGroupType is a repeatable group of roster fields.
type HRGroupType int

// Repeatable groups.
const (
	HRGroupEducation        HRGroupType = 1
	HRGroupWorkHistory      HRGroupType = 2
	HRGroupFamily           HRGroupType = 3
	HRGroupEmergencyContact HRGroupType = 4
	HRGroupContract         HRGroupType = 5
)

var hrGroupTypeNames = map[HRGroupType]string{
	HRGroupEducation:        "education (教育经历)",
	HRGroupWorkHistory:      "work history (工作经历)",
	HRGroupFamily:           "family members (家庭成员)",
	HRGroupEmergencyContact: "emergency contacts (紧急联系人)",
	HRGroupContract:         "contracts (合同信息)",
}

func (t HRGroupType) String() string { return enumName("HRGroupType", t, hrGroupTypeNames) }

// Roster fields WeCom computes and never accepts in update_staff_info.
const (
	HRFieldAge          = 11006 // 年龄
	HRFieldSocialTenure = 11012 // 社会工龄
	HRFieldStaffStatus  = 12004 // 员工状态
)

// HRFieldGroup is a group of roster fields.
type HRFieldGroup struct {
	GroupID   int       `json:"group_id"`
	GroupName string    `json:"group_name"`
	FieldList []HRField `json:"field_list"`
}

// HRField describes one roster field.
type HRField struct {
	FieldID    int         `json:"fieldid"`
	FieldName  string      `json:"field_name"`
	FieldType  HRFieldType `json:"field_type"`
	IsMust     bool        `json:"is_must"`
	ValueType  HRValueType `json:"value_type"`
	OptionList []HROption  `json:"option_list"`
}

// HROption is one choice of an option field.
type HROption struct {
	ID    int    `json:"id"`
	Value string `json:"value"`
}

// GetFields lists the roster's fields. It is a GET (POST answers 40058).
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99131
//
//meta:operation GET /cgi-bin/hr/get_fields
func (s *HRService) GetFields(ctx context.Context) ([]HRFieldGroup, error) {
	const op = "hr/get_fields"
	var out struct {
		GroupList []HRFieldGroup `json:"group_list"`
	}
	if err := s.client.get(ctx, op, nil, &out); err != nil {
		return nil, err
	}
	return out.GroupList, nil
}

// HRFieldRef names a field; SubIdx picks the entry of a repeatable group (0 for plain fields).
type HRFieldRef struct {
	FieldID int `json:"fieldid"`
	SubIdx  int `json:"sub_idx"`
}

// GetStaffInfoRequest asks for a member's roster fields: FieldIDs, or everything with GetAll.
type GetStaffInfoRequest struct {
	UserID   string       `json:"userid"`
	GetAll   bool         `json:"get_all,omitempty"`
	FieldIDs []HRFieldRef `json:"fieldids,omitempty"`
}

// HRMobile is a mobile number value.
type HRMobile struct {
	CountryCode string `json:"value_country_code"`
	Mobile      string `json:"value_mobile"`
}

// UnmarshalJSON also accepts value_mobile_country_code, which one of WeCom's examples uses.
func (m *HRMobile) UnmarshalJSON(b []byte) error {
	var aux struct {
		CountryCode    *string `json:"value_country_code"`
		CountryCodeAlt *string `json:"value_mobile_country_code"`
		Mobile         string  `json:"value_mobile"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*m = HRMobile{Mobile: aux.Mobile}
	switch {
	case aux.CountryCode != nil:
		m.CountryCode = *aux.CountryCode
	case aux.CountryCodeAlt != nil:
		m.CountryCode = *aux.CountryCodeAlt
	}
	return nil
}

// HRFile is a file value: media ids.
type HRFile struct {
	MediaIDs []string `json:"media_id"`
}

// StaffField is one roster value of a member; ValueType says which Value field is set.
type StaffField struct {
	FieldID     int         `json:"fieldid"`
	SubIdx      int         `json:"sub_idx"`
	Result      HRResult    `json:"result"`
	ValueType   HRValueType `json:"value_type"`
	ValueString string      `json:"value_string,omitempty"`
	ValueUint64 uint64      `json:"value_uint64,omitempty"`
	ValueUint32 uint32      `json:"value_uint32,omitempty"`
	ValueInt64  int64       `json:"value_int64,omitempty"`
	ValueMobile *HRMobile   `json:"value_mobile,omitempty"`
	ValueFile   *HRFile     `json:"value_file,omitempty"`
}

// GetStaffInfo reads a member's roster fields.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99132
//
//meta:operation POST /cgi-bin/hr/get_staff_info
func (s *HRService) GetStaffInfo(ctx context.Context, r *GetStaffInfoRequest) ([]StaffField, error) {
	const op = "hr/get_staff_info"
	if r == nil {
		return nil, invalid(op, "userid", "required")
	}
	if err := required(op, "userid", r.UserID); err != nil {
		return nil, err
	}
	if !r.GetAll && len(r.FieldIDs) == 0 {
		return nil, invalid(op, "fieldids", "required unless get_all")
	}
	var out struct {
		FieldInfo []StaffField `json:"field_info"` // DOC/99132; wecom-protocol.md §5.7 says "fieldinfo", which is wrong
	}
	if err := s.client.query(ctx, op, r, &out); err != nil {
		return nil, err
	}
	return out.FieldInfo, nil
}

// StaffFieldValue is a value to write: the Value field that ValueType names is sent as value_*.
type StaffFieldValue struct {
	FieldID   int
	SubIdx    int
	ValueType HRValueType
	String    string
	Uint64    uint64
	Uint32    uint32
	Int64     int64
	Mobile    HRMobile
	File      HRFile
}

// MarshalJSON writes fieldid, sub_idx and the one value_* key ValueType names, as insert_items takes it.
func (v StaffFieldValue) MarshalJSON() ([]byte, error) { return v.marshal(false) }

// updateItem is a StaffFieldValue in update_items. DOC/99133 names the mobile's country code differently
// there: update_items' sample has value_mobile.value_mobile_country_code, insert_items' value_country_code
// (as get_staff_info answers it).
type updateItem StaffFieldValue

func (v updateItem) MarshalJSON() ([]byte, error) { return StaffFieldValue(v).marshal(true) }

func (v StaffFieldValue) marshal(update bool) ([]byte, error) {
	m := map[string]any{"fieldid": v.FieldID, "sub_idx": v.SubIdx}
	switch v.ValueType {
	case HRValueString:
		m["value_string"] = v.String
	case HRValueUint64:
		m["value_uint64"] = v.Uint64
	case HRValueUint32:
		m["value_uint32"] = v.Uint32
	case HRValueInt64:
		m["value_int64"] = v.Int64
	case HRValueMobile:
		if update {
			m["value_mobile"] = map[string]string{"value_mobile_country_code": v.Mobile.CountryCode,
				"value_mobile": v.Mobile.Mobile}
		} else {
			m["value_mobile"] = v.Mobile
		}
	case HRValueFile:
		files := v.File.MediaIDs
		if files == nil {
			files = []string{}
		}
		m["value_file"] = HRFile{MediaIDs: files}
	default:
		return nil, fmt.Errorf("wecom: roster field %d: unknown value type %d", v.FieldID, int(v.ValueType))
	}
	return json.Marshal(m)
}

// HRGroupItem names one entry of a repeatable group.
type HRGroupItem struct {
	GroupType HRGroupType `json:"group_type"`
	SubIdx    int         `json:"sub_idx"`
}

// HRInsertItem is a new entry for a repeatable group.
type HRInsertItem struct {
	GroupType HRGroupType       `json:"group_type"`
	Item      []StaffFieldValue `json:"item"`
}

// UpdateStaffInfoRequest changes a member's roster: at least one of the lists must be non-empty.
type UpdateStaffInfoRequest struct {
	UserID      string            `json:"userid"`
	UpdateItems []StaffFieldValue `json:"update_items,omitempty"`
	RemoveItems []HRGroupItem     `json:"remove_items,omitempty"`
	InsertItems []HRInsertItem    `json:"insert_items,omitempty"`
}

// MarshalJSON writes update_items in their own shape (see updateItem).
func (r UpdateStaffInfoRequest) MarshalJSON() ([]byte, error) {
	type plain UpdateStaffInfoRequest
	out := struct {
		plain
		UpdateItems []updateItem `json:"update_items,omitempty"`
	}{plain: plain(r)}
	for _, it := range r.UpdateItems {
		out.UpdateItems = append(out.UpdateItems, updateItem(it))
	}
	return json.Marshal(out)
}

// HRFieldResult is the outcome of one updated field.
type HRFieldResult struct {
	FieldID int      `json:"fieldid"`
	SubIdx  int      `json:"sub_idx"`
	Result  HRResult `json:"result"`
}

// HRGroupResult is the outcome of one removed group entry.
type HRGroupResult struct {
	GroupType HRGroupType `json:"group_type"`
	SubIdx    int         `json:"sub_idx"`
	Result    HRResult    `json:"result"`
}

// HRInsertResult is the outcome of one inserted group entry; Idx is its new sub_idx.
type HRInsertResult struct {
	GroupType HRGroupType `json:"group_type"`
	Idx       int         `json:"idx"`
	Result    HRResult    `json:"result"`
}

// UpdateStaffInfoResult is update_staff_info's per-item outcome.
type UpdateStaffInfoResult struct {
	UpdateResults []HRFieldResult  `json:"update_results"`
	RemoveResults []HRGroupResult  `json:"remove_results"`
	InsertResults []HRInsertResult `json:"insert_result"`
}

// UnmarshalJSON reads the insert outcomes from insert_result (WeCom's sample) or insert_results (its
// parameter table).
func (r *UpdateStaffInfoResult) UnmarshalJSON(b []byte) error {
	var aux struct {
		UpdateResults []HRFieldResult  `json:"update_results"`
		RemoveResults []HRGroupResult  `json:"remove_results"`
		InsertResult  []HRInsertResult `json:"insert_result"`
		InsertResults []HRInsertResult `json:"insert_results"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*r = UpdateStaffInfoResult{UpdateResults: aux.UpdateResults, RemoveResults: aux.RemoveResults,
		InsertResults: aux.InsertResult}
	if r.InsertResults == nil {
		r.InsertResults = aux.InsertResults
	}
	return nil
}

// UpdateStaffInfo changes a member's roster fields. Age (11006), social tenure (11012) and staff status
// (12004) cannot be written.
//
// WeCom API docs: https://developer.work.weixin.qq.com/document/path/99133
//
//meta:operation POST /cgi-bin/hr/update_staff_info
func (s *HRService) UpdateStaffInfo(ctx context.Context, r *UpdateStaffInfoRequest) (*UpdateStaffInfoResult, error) {
	const op = "hr/update_staff_info"
	if r == nil {
		return nil, invalid(op, "userid", "required")
	}
	if err := required(op, "userid", r.UserID); err != nil {
		return nil, err
	}
	if len(r.UpdateItems)+len(r.RemoveItems)+len(r.InsertItems) == 0 {
		return nil, invalid(op, "update_items", "nothing to do: set update_items, remove_items or insert_items")
	}
	check := func(field string, v StaffFieldValue) error {
		switch v.FieldID {
		case HRFieldAge, HRFieldSocialTenure, HRFieldStaffStatus:
			return invalid(op, field, fmt.Sprintf("field %d is computed by WeCom and cannot be written", v.FieldID))
		}
		if _, ok := hrValueTypeNames[v.ValueType]; !ok {
			return invalid(op, field, fmt.Sprintf("field %d: unknown value type %d", v.FieldID, int(v.ValueType)))
		}
		return nil
	}
	for i, v := range r.UpdateItems {
		if err := check(fmt.Sprintf("update_items[%d]", i), v); err != nil {
			return nil, err
		}
	}
	for i, it := range r.InsertItems {
		for j, v := range it.Item {
			if err := check(fmt.Sprintf("insert_items[%d].item[%d]", i, j), v); err != nil {
				return nil, err
			}
		}
	}
	var out UpdateStaffInfoResult
	if err := s.client.post(ctx, op, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
