package emulator

// 人事助手-花名册 (hr/*, DOC/99130 概述, 99131 get_fields, 99132 get_staff_info, 99133 update_staff_info).
// Fields belong to groups; the groups numbered 1-5 (教育经历, 工作经历, 家庭成员, 紧急联系人, 合同信息) are
// repeatable, and their fields are addressed with a sub_idx (0-based here: the docs say a field outside a
// repeatable group takes sub_idx 0).

import (
	"regexp"
	"slices"
)

// routesHR registers the roster APIs, DOC/99131-99133 (the client's wecom/hr.go).
func (s *Server) routesHR() {
	s.handle("GET", "hr/get_fields", s.hrGetFields)
	s.handle("POST", "hr/get_staff_info", s.hrGetStaffInfo)
	s.handle("POST", "hr/update_staff_info", s.hrUpdateStaffInfo)
}

// hrField is one roster field. FieldType (DOC/99131): 1 文本 2 选项 3 时间 4 图片 5 单文件 6 多文件;
// ValueType: 1 value_string 2 value_uint64 3 value_uint32 4 value_int64 5 value_mobile 6 value_file. A text
// field is a string or a mobile, a time a uint64 or an int64, an option a uint32, the rest files.
type hrField struct {
	ID        int
	Name      string
	FieldType int
	ValueType int
	Must      bool
	ReadOnly  bool // "不支持更新字段": 11006 年龄, 11012 社会工龄, 12004 员工状态
	Options   []hrOption
}

type hrOption struct {
	ID    uint32 `json:"id"`
	Value string `json:"value"`
}

// hrGroup is a field group. RepeatType is the group_type of update_staff_info for a repeatable group, 0 for a
// plain one.
type hrGroup struct {
	ID         int
	Name       string
	RepeatType int
	Fields     []hrField
}

// hrValue is a field's value; which member is meaningful follows the field's ValueType.
type hrValue struct {
	Str         string
	U64         uint64
	U32         uint32
	I64         int64
	CountryCode string
	Mobile      string
	MediaIDs    []string
}

// staffRecord is one member's roster: plain fields by fieldid, and the instances of each repeatable group.
type staffRecord struct {
	single map[int]hrValue
	groups map[int][]map[int]hrValue // group_type → instances → fieldid → value
}

// Bounds on one request. WeCom documents none; these keep a runaway client from growing a response or the
// roster without limit.
const (
	maxHRItems      = 1000
	maxHRStringLen  = 1000
	maxHRMediaFiles = 20
)

func hrFieldConfig() []hrGroup {
	opts := func(values ...string) []hrOption {
		out := make([]hrOption, len(values))
		for i, v := range values {
			out[i] = hrOption{uint32(i + 1), v}
		}
		return out
	}
	return []hrGroup{
		{ID: 1001, Name: "个人信息", Fields: []hrField{
			{ID: 11001, Name: "姓名", FieldType: 1, ValueType: 1, Must: true},
			{ID: 11002, Name: "别名", FieldType: 1, ValueType: 1},
			{ID: 11003, Name: "手机", FieldType: 1, ValueType: 5},
			{ID: 11004, Name: "性别", FieldType: 2, ValueType: 3, Options: opts("男", "女")},
			{ID: 11005, Name: "出生日期", FieldType: 3, ValueType: 4},
			{ID: 11006, Name: "年龄", FieldType: 1, ValueType: 1, ReadOnly: true},
			{ID: 11012, Name: "社会工龄", FieldType: 1, ValueType: 1, ReadOnly: true},
			{ID: 11020, Name: "个人邮箱", FieldType: 1, ValueType: 1},
		}},
		{ID: 1002, Name: "在职信息", Fields: []hrField{
			{ID: 12004, Name: "员工状态", FieldType: 2, ValueType: 3, ReadOnly: true, Options: opts("试用", "正式", "待离职")},
			{ID: 12010, Name: "职位", FieldType: 2, ValueType: 3, Options: opts("总经理", "秘书", "经理", "工程师", "专员")},
			{ID: 12018, Name: "入职日期", FieldType: 3, ValueType: 2},
			{ID: 12024, Name: "工号", FieldType: 1, ValueType: 1, Must: true},
		}},
		{ID: 1004, Name: "教育经历", RepeatType: 1, Fields: []hrField{
			{ID: 14001, Name: "学校", FieldType: 1, ValueType: 1, Must: true},
			{ID: 14002, Name: "学历", FieldType: 2, ValueType: 3, Options: opts("本科", "硕士", "博士")},
			{ID: 14003, Name: "毕业时间", FieldType: 3, ValueType: 2},
		}},
		{ID: 1007, Name: "紧急联系人", RepeatType: 4, Fields: []hrField{
			{ID: 17001, Name: "姓名", FieldType: 1, ValueType: 1, Must: true},
			{ID: 17002, Name: "关系", FieldType: 2, ValueType: 3, Options: opts("配偶", "父母", "子女", "朋友")},
			{ID: 17003, Name: "联系电话", FieldType: 1, ValueType: 5, Must: true},
			{ID: 17004, Name: "联系地址", FieldType: 1, ValueType: 1},
		}},
		{ID: 1009, Name: "个人材料", Fields: []hrField{
			{ID: 19001, Name: "身份证照片", FieldType: 4, ValueType: 6},
			{ID: 19002, Name: "学历证书", FieldType: 5, ValueType: 6},
			{ID: 19003, Name: "其他附件", FieldType: 6, ValueType: 6},
		}},
		{ID: 2001, Name: "自定义信息", Fields: []hrField{
			{ID: 20001, Name: "工位", FieldType: 1, ValueType: 1},
			{ID: 20002, Name: "T恤尺码", FieldType: 2, ValueType: 3, Options: opts("S", "M", "L", "XL")},
		}},
	}
}

// hrField finds a field and the repeat type of its group.
func (a *adminState) hrField(id int) (*hrField, *hrGroup) {
	for gi := range a.hrGroups {
		g := &a.hrGroups[gi]
		for fi := range g.Fields {
			if g.Fields[fi].ID == id {
				return &g.Fields[fi], g
			}
		}
	}
	return nil, nil
}

func (a *adminState) hrRepeatGroup(groupType int) *hrGroup {
	for gi := range a.hrGroups {
		if g := &a.hrGroups[gi]; g.RepeatType != 0 && g.RepeatType == groupType {
			return g
		}
	}
	return nil
}

// hrGetFields is GET hr/get_fields (DOC/99131; "请求方式：GET"): the field configuration, each field with its
// value_type and, for options, option_list.
func (s *Server) hrGetFields(c *apiCall) (obj, *apiError) {
	type fieldJSON struct {
		FieldID    int        `json:"fieldid"`
		FieldName  string     `json:"field_name"`
		FieldType  int        `json:"field_type"`
		ValueType  int        `json:"value_type"`
		IsMust     bool       `json:"is_must"`
		OptionList []hrOption `json:"option_list,omitempty"` // "仅当field_type字段为2时返回"
	}
	type groupJSON struct {
		GroupID   int         `json:"group_id"`
		GroupName string      `json:"group_name"`
		FieldList []fieldJSON `json:"field_list"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	groups := make([]groupJSON, 0, len(s.org.admin.hrGroups))
	for _, g := range s.org.admin.hrGroups {
		gj := groupJSON{GroupID: g.ID, GroupName: g.Name, FieldList: []fieldJSON{}}
		for _, f := range g.Fields {
			fj := fieldJSON{FieldID: f.ID, FieldName: f.Name, FieldType: f.FieldType, ValueType: f.ValueType, IsMust: f.Must}
			if f.FieldType == 2 {
				fj.OptionList = slices.Clone(f.Options)
			}
			gj.FieldList = append(gj.FieldList, fj)
		}
		groups = append(groups, gj)
	}
	return obj{"group_list": groups}, nil
}

// hrFieldInfo is one entry of get_staff_info's field_info. Exactly one value_* member is set on success.
type hrFieldInfo struct {
	FieldID     int         `json:"fieldid"`
	SubIdx      int         `json:"sub_idx"`
	Result      int         `json:"result"` // 1 成功 2 失败 3 字段未找到 5 不支持
	ValueType   int         `json:"value_type,omitempty"`
	ValueString *string     `json:"value_string,omitempty"`
	ValueUint64 *uint64     `json:"value_uint64,omitempty"`
	ValueUint32 *uint32     `json:"value_uint32,omitempty"`
	ValueInt64  *int64      `json:"value_int64,omitempty"`
	ValueMobile *hrMobileJS `json:"value_mobile,omitempty"`
	ValueFile   *hrFileJS   `json:"value_file,omitempty"`
}

type hrMobileJS struct {
	CountryCode string `json:"value_country_code"`
	Mobile      string `json:"value_mobile"`
}

type hrFileJS struct {
	MediaID []string `json:"media_id"`
}

func hrInfo(f *hrField, subIdx int, v hrValue) hrFieldInfo {
	info := hrFieldInfo{FieldID: f.ID, SubIdx: subIdx, Result: 1, ValueType: f.ValueType}
	switch f.ValueType {
	case 1:
		info.ValueString = &v.Str
	case 2:
		info.ValueUint64 = &v.U64
	case 3:
		info.ValueUint32 = &v.U32
	case 4:
		info.ValueInt64 = &v.I64
	case 5:
		info.ValueMobile = &hrMobileJS{v.CountryCode, v.Mobile}
	case 6:
		info.ValueFile = &hrFileJS{append([]string{}, v.MediaIDs...)}
	}
	return info
}

// hrFieldRef is a fieldid with its sub_idx; DOC/99132's sample spells the latter "sud_idx" once, so both are
// read.
type hrFieldRef struct {
	FieldID int  `json:"fieldid"`
	SubIdx  *int `json:"sub_idx"`
	SudIdx  *int `json:"sud_idx"`
}

func (r hrFieldRef) idx() int {
	switch {
	case r.SubIdx != nil:
		return *r.SubIdx
	case r.SudIdx != nil:
		return *r.SudIdx
	}
	return 0
}

// hrGetStaffInfo is POST hr/get_staff_info (DOC/99132): {"userid","get_all","fieldids"} → {"field_info":[…]}.
// (The response key is field_info in the doc's sample and in every SDK seen; wecom-protocol.md §5.7 writes
// fieldinfo.)
func (s *Server) hrGetStaffInfo(c *apiCall) (obj, *apiError) {
	var req struct {
		UserID   string       `json:"userid"`
		GetAll   bool         `json:"get_all"`
		FieldIDs []hrFieldRef `json:"fieldids"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.UserID == "":
		return nil, errInvalidParam("userid is required")
	case !req.GetAll && len(req.FieldIDs) == 0:
		// "参数get_all为否或不填时，此字段不能为空"
		return nil, errInvalidParam("fieldids is required unless get_all is true")
	case !req.GetAll && len(req.FieldIDs) > maxHRItems:
		return nil, errInvalidParam("fieldids has %d entries, at most %d", len(req.FieldIDs), maxHRItems)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org.admCheckUser(req.UserID); err != nil {
		return nil, err
	}
	a := s.org.admin
	rec := a.staffOf(req.UserID)
	infos := []hrFieldInfo{}
	if req.GetAll {
		for _, g := range a.hrGroups {
			for _, f := range g.Fields {
				if g.RepeatType == 0 {
					infos = append(infos, hrInfo(&f, 0, rec.single[f.ID]))
				}
			}
			if g.RepeatType != 0 {
				for i, inst := range rec.groups[g.RepeatType] {
					for _, f := range g.Fields {
						infos = append(infos, hrInfo(&f, i, inst[f.ID]))
					}
				}
			}
		}
		return obj{"field_info": infos}, nil
	}
	for _, ref := range req.FieldIDs {
		idx := ref.idx()
		f, g := a.hrField(ref.FieldID)
		switch {
		case f == nil:
			infos = append(infos, hrFieldInfo{FieldID: ref.FieldID, SubIdx: idx, Result: 3})
		case g.RepeatType == 0 && idx != 0,
			g.RepeatType != 0 && (idx < 0 || idx >= len(rec.groups[g.RepeatType])):
			infos = append(infos, hrFieldInfo{FieldID: ref.FieldID, SubIdx: idx, Result: 3})
		case g.RepeatType == 0:
			infos = append(infos, hrInfo(f, 0, rec.single[f.ID]))
		default:
			infos = append(infos, hrInfo(f, idx, rec.groups[g.RepeatType][idx][f.ID]))
		}
	}
	return obj{"field_info": infos}, nil
}

// staffOf returns a member's roster, creating an empty one for a member the seed did not cover.
func (a *adminState) staffOf(userid string) *staffRecord {
	r := a.staff[userid]
	if r == nil {
		r = &staffRecord{single: map[int]hrValue{}, groups: map[int][]map[int]hrValue{}}
		a.staff[userid] = r
	}
	return r
}

// hrItem is one field value in update_items or insert_items[].item. DOC/99133's samples name the mobile's
// country code value_mobile_country_code in update_items and value_country_code in insert_items; each list
// reads only its own key (the other is an unknown field, ignored as WeCom ignores them).
type hrItem struct {
	hrFieldRef
	ValueString *string `json:"value_string"`
	ValueUint64 *uint64 `json:"value_uint64"`
	ValueUint32 *uint32 `json:"value_uint32"`
	ValueInt64  *int64  `json:"value_int64"`
	ValueMobile *struct {
		CountryCode       string `json:"value_country_code"`
		MobileCountryCode string `json:"value_mobile_country_code"`
		Mobile            string `json:"value_mobile"`
	} `json:"value_mobile"`
	ValueFile *struct {
		MediaID []string `json:"media_id"`
	} `json:"value_file"`
}

var hrMobileRe = regexp.MustCompile(`^[0-9+\-]{1,32}$`)

// value checks the item's value against the field: clear reports that no value was given (the field is to be
// emptied), ok=false that the value is of the wrong type or out of range (update result 2).
func (it *hrItem) value(f *hrField, update bool) (v hrValue, clear, ok bool) {
	given := 0
	for _, set := range []bool{it.ValueString != nil, it.ValueUint64 != nil, it.ValueUint32 != nil,
		it.ValueInt64 != nil, it.ValueMobile != nil, it.ValueFile != nil} {
		if set {
			given++
		}
	}
	if given == 0 {
		return hrValue{}, true, true
	}
	if given > 1 {
		return hrValue{}, false, false
	}
	switch f.ValueType {
	case 1:
		if it.ValueString == nil || len([]rune(*it.ValueString)) > maxHRStringLen {
			return v, false, false
		}
		v.Str = *it.ValueString
	case 2:
		if it.ValueUint64 == nil {
			return v, false, false
		}
		v.U64 = *it.ValueUint64
	case 3:
		if it.ValueUint32 == nil || !slices.ContainsFunc(f.Options, func(o hrOption) bool { return o.ID == *it.ValueUint32 }) {
			return v, false, false
		}
		v.U32 = *it.ValueUint32
	case 4:
		if it.ValueInt64 == nil {
			return v, false, false
		}
		v.I64 = *it.ValueInt64
	case 5:
		m := it.ValueMobile
		if m == nil || !hrMobileRe.MatchString(m.Mobile) {
			return v, false, false
		}
		v.CountryCode, v.Mobile = m.CountryCode, m.Mobile
		if update {
			v.CountryCode = m.MobileCountryCode
		}
	case 6:
		fv := it.ValueFile
		maxFiles := 1 // 图片 and 单文件 hold one file
		if f.FieldType == 6 {
			maxFiles = maxHRMediaFiles
		}
		if fv == nil || len(fv.MediaID) == 0 || len(fv.MediaID) > maxFiles || slices.Contains(fv.MediaID, "") {
			return v, false, false
		}
		v.MediaIDs = slices.Clone(fv.MediaID)
	}
	return v, false, true
}

// hrUpdateStaffInfo is POST hr/update_staff_info (DOC/99133). Updates apply first, then removals (by the
// sub_idx the caller saw, whatever their order), then insertions. Per item result: 1 成功 2 失败 (wrong value
// type, option or format) 3 未找到 4 必填字段未填写/被清空 5 不支持 (the read-only 11006 年龄, 11012 社会工龄,
// 12004 员工状态). The insertion results are keyed insert_result, as in the doc's sample (its text says
// insert_results).
func (s *Server) hrUpdateStaffInfo(c *apiCall) (obj, *apiError) {
	var req struct {
		UserID      string   `json:"userid"`
		UpdateItems []hrItem `json:"update_items"`
		RemoveItems []struct {
			GroupType int  `json:"group_type"`
			SubIdx    *int `json:"sub_idx"`
			SudIdx    *int `json:"sud_idx"`
		} `json:"remove_items"`
		InsertItems []struct {
			GroupType int      `json:"group_type"`
			Item      []hrItem `json:"item"`
		} `json:"insert_items"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	switch {
	case req.UserID == "":
		return nil, errInvalidParam("userid is required")
	case len(req.UpdateItems) == 0 && len(req.RemoveItems) == 0 && len(req.InsertItems) == 0:
		// "这个字段和remove_items、insert_items字段不能全部为空"
		return nil, errInvalidParam("update_items, remove_items and insert_items are all empty")
	case len(req.UpdateItems)+len(req.RemoveItems)+len(req.InsertItems) > maxHRItems:
		return nil, errInvalidParam("too many items, at most %d", maxHRItems)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.org.admCheckUser(req.UserID); err != nil {
		return nil, err
	}
	a := s.org.admin
	rec := a.staffOf(req.UserID)

	type updateResult struct {
		FieldID int `json:"fieldid"`
		SubIdx  int `json:"sub_idx"`
		Result  int `json:"result"`
	}
	updates := []updateResult{}
	for _, it := range req.UpdateItems {
		idx := it.idx()
		r := updateResult{FieldID: it.FieldID, SubIdx: idx}
		f, g := a.hrField(it.FieldID)
		var target map[int]hrValue
		switch {
		case f == nil:
			r.Result = 3
		case g.RepeatType == 0 && idx != 0,
			g.RepeatType != 0 && (idx < 0 || idx >= len(rec.groups[g.RepeatType])):
			r.Result = 3
		case f.ReadOnly:
			r.Result = 5
		case g.RepeatType == 0:
			target = rec.single
		default:
			target = rec.groups[g.RepeatType][idx]
		}
		if target != nil {
			v, clear, ok := it.value(f, true)
			switch {
			case !ok:
				r.Result = 2
			case clear && f.Must:
				r.Result = 4
			case clear:
				delete(target, f.ID)
				r.Result = 1
			default:
				target[f.ID] = v
				r.Result = 1
			}
		}
		updates = append(updates, r)
	}

	type removeResult struct {
		GroupType int `json:"group_type"`
		SubIdx    int `json:"sub_idx"`
		Result    int `json:"result"`
	}
	removes := []removeResult{}
	drop := map[int][]int{} // group_type → indexes to remove
	for _, it := range req.RemoveItems {
		idx := hrFieldRef{SubIdx: it.SubIdx, SudIdx: it.SudIdx}.idx()
		r := removeResult{GroupType: it.GroupType, SubIdx: idx, Result: 1}
		if a.hrRepeatGroup(it.GroupType) == nil || idx < 0 || idx >= len(rec.groups[it.GroupType]) ||
			slices.Contains(drop[it.GroupType], idx) {
			r.Result = 3
		} else {
			drop[it.GroupType] = append(drop[it.GroupType], idx)
		}
		removes = append(removes, r)
	}
	for gt, idxs := range drop {
		slices.Sort(idxs)
		for i := len(idxs) - 1; i >= 0; i-- {
			rec.groups[gt] = slices.Delete(rec.groups[gt], idxs[i], idxs[i]+1)
		}
	}

	inserts := []hrInsertResult{}
	for _, ins := range req.InsertItems {
		inserts = append(inserts, a.hrInsert(rec, ins.GroupType, ins.Item))
	}
	return obj{"update_results": updates, "remove_results": removes, "insert_result": inserts}, nil
}

// hrInsertResult is one entry of insert_result; idx is the new instance's sub_idx (-1 when nothing was
// inserted).
type hrInsertResult struct {
	GroupType int `json:"group_type"`
	Idx       int `json:"idx"`
	Result    int `json:"result"`
}

// hrInsert adds one instance of a repeatable group, all or nothing.
func (a *adminState) hrInsert(rec *staffRecord, groupType int, items []hrItem) hrInsertResult {
	r := hrInsertResult{GroupType: groupType, Idx: -1}
	g := a.hrRepeatGroup(groupType)
	if g == nil {
		r.Result = 3
		return r
	}
	if len(rec.groups[groupType]) >= maxStaffGroupItems {
		r.Result = 2
		return r
	}
	inst := map[int]hrValue{}
	for _, it := range items {
		f, fg := a.hrField(it.FieldID)
		if f == nil {
			r.Result = 3
			return r
		}
		v, clear, ok := it.value(f, false)
		if fg != g || f.ReadOnly || !ok {
			r.Result = 2
			return r
		}
		if !clear {
			inst[f.ID] = v
		}
	}
	for _, f := range g.Fields {
		if _, set := inst[f.ID]; f.Must && !set {
			r.Result = 4
			return r
		}
	}
	rec.groups[groupType] = append(rec.groups[groupType], inst)
	r.Idx, r.Result = len(rec.groups[groupType])-1, 1
	return r
}
