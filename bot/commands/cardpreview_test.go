package commands

import (
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/wecombot/wecombot/bot/replies"
)

func TestCardPreview(t *testing.T) {
	for _, c := range []struct {
		name, preview string
		want          *previewCard // nil: does not fit whole
	}{
		{"a roster change", "You are about to change the roster (花名册) of `lisi`:\n\n• 工位: A-4-11 → A-3-12",
			&previewCard{sub: "You are about to change the roster (花名册) of lisi:", fields: []replies.Field{{Key: "工位", Value: "A-4-11 → A-3-12"}}}},
		{"unchanged values and Chinese colons", "将修改 `lisi` 的花名册：\n\n• 职位：经理 (<font color=\"comment\">不变</font>)\n• 入职日期: 2024-11-04 → 2024-03-01",
			&previewCard{sub: "将修改 lisi 的花名册：", fields: []replies.Field{{Key: "职位", Value: "经理 (不变)"}, {Key: "入职日期", Value: "2024-11-04 → 2024-03-01"}}}},
		{"members and a note", "You are about to give an advanced-feature account (高级功能账号) to 2 members:\n\n- `wangwu` — has none; will get one (takes a seat of the licence pool)\n- `sunqi` — has none; will get one\n\nWeCom lists 2 accounts in use now.",
			&previewCard{sub: "You are about to give an advanced-feature account (高级功能账号) to 2 members:",
				fields: []replies.Field{{Key: "wangwu", Value: "has none; will get one (takes a seat of the licence pool)"}, {Key: "sunqi", Value: "has none; will get one"}},
				quote:  "WeCom lists 2 accounts in use now."}},
		{"numbered imports", "**Import 2 Windows PCs as trusted enterprise devices (可信企业设备)** (security/trustdevice/import):\n\n1. MAC `00:1A:2B:3C:4D:5E`\n2. MAC `00:1A:2B:3C:4D:5F`\n\nThey are trusted as soon as a member logs in on them.",
			&previewCard{sub: "Import 2 Windows PCs as trusted enterprise devices (可信企业设备) (security/trustdevice/import):",
				fields: []replies.Field{{Key: "1", Value: "MAC 00:1A:2B:3C:4D:5E"}, {Key: "2", Value: "MAC 00:1A:2B:3C:4D:5F"}},
				quote:  "They are trusted as soon as a member logs in on them."}},
		{"one line", "You are about to run `/silence add new-device-login 2h`.", &previewCard{sub: "You are about to run /silence add new-device-login 2h."}},
		{"a device with its details", "**Approve 1 device** (security/trustdevice/approve):\n\n• `tewmyng` · Windows LAPTOP-ZL-HOME · 赵六 (`zhaoliu`), last login 2026-12-04 23:44 · <font color=\"warning\">awaiting admin confirmation as enterprise device (待管理员确认为企业设备)</font> · applied by `zhaoliu` 2026-12-04 23:44 → becomes a trusted enterprise device (可信企业设备)", nil},
		{"seven items", "Seven:\n\n• a: 1\n• b: 2\n• c: 3\n• d: 4\n• e: 5\n• f: 6\n• g: 7", nil},
		{"an item without a key", "Head:\n\n• just words here", nil},
		{"a long key", "Head:\n\n• a key longer than twelve: value", nil},
		{"two heading lines", "One\nTwo\n\n• a: 1", nil},
		{"two lists", "Head:\n\n• a: 1\n\nBetween.\n\n• b: 2", nil},
	} {
		got, ok := cardPreview(c.preview)
		switch {
		case c.want == nil && ok:
			t.Errorf("%s: laid out on the card as %+v; want the markdown preview", c.name, got)
		case c.want != nil && !ok:
			t.Errorf("%s: does not fit the card; want %+v", c.name, *c.want)
		case c.want != nil:
			if diff := cmp.Diff(*c.want, got, cmp.AllowUnexported(previewCard{})); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.name, diff)
			}
		}
	}
}

// FuzzCardPreview: a preview carries members' arguments; whatever it holds, what goes on the card is within
// the card's bounds, or the preview stays markdown.
func FuzzCardPreview(f *testing.F) {
	f.Add("You are about to change the roster (花名册) of `lisi`:\n\n- 工位: A-4-11 → A-3-12")
	f.Add("Head:\n\n1. MAC `00:1A`\n2. MAC `00:1B`\n\nAfter.")
	f.Add("- `x` — y\n- a：b")
	f.Fuzz(func(t *testing.T, preview string) {
		pc, ok := cardPreview(preview)
		if !ok {
			return
		}
		if utf8.RuneCountInString(pc.sub) > MaxCardPreview || utf8.RuneCountInString(pc.quote) > maxPreviewQuote || len(pc.fields) > maxPreviewItems {
			t.Fatalf("over the card's bounds: %+v", pc)
		}
		for _, fl := range pc.fields {
			if fl.Key == "" || fl.Value == "" || utf8.RuneCountInString(fl.Key) > maxPreviewKey || utf8.RuneCountInString(fl.Value) > replies.MaxCardRunes {
				t.Fatalf("a row over the card's bounds: %+v", fl)
			}
		}
	})
}
