package console

import "github.com/wecombot/wecombot/bot/i18n"

// templateWords are the message ids the templates translate with {{T .P "id"}}: marked here so that the
// catalogue test sees them (TestTemplates_wordsMarked checks the list against the templates).
var templateWords = []string{
	i18n.N("Application"),
	i18n.N("Applicant"),
	i18n.N("Type"),
	i18n.N("Reason"),
	i18n.N("Submitted"),
	i18n.N("State"),
	i18n.N("Decide by"),
	i18n.N("Decided by"),
	i18n.N("Account"),
	i18n.N("Approve this application?"),
	i18n.N("Approve"),
	i18n.N("Reject this application?"),
	i18n.N("Reason for rejecting (the applicant reads it)"),
	i18n.N("Reject"),
	i18n.N("This is your own application: an approver decides it."),
	i18n.N("All applications"),
	i18n.N("Close"),
	i18n.N("Filter"),
	i18n.N("%d applications"),
	i18n.N("No applications here."),
	i18n.N("Newer"),
	i18n.N("Older"),
	i18n.N("Back to the console"),
	i18n.N("%d applications wait for a decision."),
	i18n.N("Your roles give you no console pages yet. Ask an admin for a role."),
	i18n.N("Sign out"),
	i18n.N("Sign in with your WeCom account: scan the code with WeCom on your phone, or confirm in WeCom on this computer."),
	i18n.N("Sign in with WeCom"),
	i18n.N("Inside the WeCom app the console signs you in by itself:"),
	i18n.N("open it in WeCom"),
	i18n.N("You have signed out."),
	i18n.N("Sign in again"),
}
