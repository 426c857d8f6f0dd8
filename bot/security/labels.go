package security

import (
	"fmt"

	"github.com/wecombot/wecombot/bot/i18n"
)

// Label writes a WeCom enum name (a device status, an oper type, a file operation…) in p's language. The
// wecom package names each value in English with the admin console's Chinese name in parentheses ("logged in
// on a new device (新设备登录)"); that name is the id, and the catalogue gives the console's name alone, so a
// label appears once in the reader's language. Values WeCom added since (MemberOperType(42)) are shown as
// they are.
func Label(p *i18n.Printer, v fmt.Stringer) string { return p.T(v.String()) }

// The names of wecom's enums that the security desk and its alerts show (wecom/security.go), for the
// catalogue; labels_test checks that every value is here.
var _ = []string{
	// DeviceStatus
	i18n.N("imported, not logged in yet (已导入未登录)"),
	i18n.N("awaiting invitation (待邀请)"),
	i18n.N("awaiting admin confirmation as enterprise device (待管理员确认为企业设备)"),
	i18n.N("awaiting admin confirmation as personal device (待管理员确认为个人设备)"),
	i18n.N("confirmed trusted enterprise device (已确认为可信企业设备)"),
	i18n.N("confirmed trusted personal device (已确认为可信个人设备)"),
	// ImportStatus
	i18n.N("imported (成功)"),
	i18n.N("already imported (重复导入)"),
	i18n.N("unsupported device (不支持的设备)"),
	i18n.N("malformed data (数据格式错误)"),
	// MemberOperType
	i18n.N("added an external contact (添加外部联系人)"),
	i18n.N("deleted an external contact (删除外部联系人)"),
	i18n.N("marked a corp customer (标记企业客户)"),
	i18n.N("logged in on a new device (新设备登录)"),
	i18n.N("changed mobile number (更换手机号)"),
	i18n.N("bound a WeChat account (绑定微信号)"),
	i18n.N("rebound the WeChat account (换绑微信号)"),
	i18n.N("invited a member (邀请成员)"),
	i18n.N("login banned (封禁登录)"),
	i18n.N("changed nickname (修改昵称)"),
	i18n.N("changed name (修改姓名)"),
	i18n.N("logged in on a secondary device (副设备登录)"),
	i18n.N("confirmed an advanced-feature order (确认高级功能订单)"),
	i18n.N("changed an app (应用变更)"),
	i18n.N("confirmed a chat-archive order (确认会话内容存档订单)"),
	i18n.N("interop banned (封禁互通)"),
	i18n.N("locked a device (锁定设备)"),
	// AdminOperType
	i18n.N("permission change (权限管理变更)"),
	i18n.N("member and department change (成员与部门变更)"),
	i18n.N("other (其它)"),
	i18n.N("app change (应用变更)"),
	i18n.N("contacts and chat management (通讯录与聊天管理)"),
	i18n.N("corp information management (企业信息管理)"),
	i18n.N("external contact management (外部联系人管理)"),
	// FileOperType
	i18n.N("upload (上传)"),
	i18n.N("download (下载)"),
	i18n.N("forward to WeCom (转发到企业微信)"),
	i18n.N("download via link (通过链接下载)"),
	i18n.N("approved a download request (通过下载申请)"),
	i18n.N("rejected a download request (拒绝下载申请)"),
	// FileSource and ScreenShotType
	i18n.N("chat (聊天)"),
	i18n.N("mail (邮件)"),
	i18n.N("docs (文档)"),
	i18n.N("drive (微盘)"),
	i18n.N("schedule (日程)"),
	i18n.N("contacts (通讯录)"),
	i18n.N("file (文件)"),
	i18n.N("other (其他)"),
}
