package replies_test

import (
	"fmt"

	"github.com/wecombot/wecombot/bot/replies"
)

func ExampleMarkdown() {
	name := "dev_01 [prod] *A*" // user-supplied: shown as typed
	src := "## Devices\n\n" +
		"| Device | Status |\n|---|---|\n" +
		"| " + replies.Escape(name) + " | " + replies.Font(replies.Info, "online") + " |\n" +
		"| " + replies.Code("dev-02") + " | " + replies.Font(replies.Warning, "offline") + " |\n\n" +
		"- see [the dashboard](https://ops.example.com)\n" +
		"- or run " + replies.Code("/devices list") + "\n\n" +
		"```\nlog `line`\n```"
	fmt.Println(replies.Markdown(src))
	fmt.Println("----")
	fmt.Println(replies.Text(src))
	// Output:
	// ## Devices
	//
	// **Device** · **Status**
	// dev_01 [prod] *A* · <font color="info">online</font>
	// `dev-02` · <font color="warning">offline</font>
	//
	// • see [the dashboard](https://ops.example.com)
	// • or run `/devices list`
	//
	// `log ˋlineˋ`
	// ----
	// Devices
	//
	// Device · Status
	// dev_01 [prod] *A* · online
	// dev-02 · offline
	//
	// • see the dashboard (https://ops.example.com)
	// • or run /devices list
	//
	// log `line`
}

func ExampleEscape() {
	for _, s := range []string{"**bold**", "<@all>", "# not a heading", "1. not a list", "[x](http://evil)"} {
		src := replies.Escape(s)
		fmt.Printf("%q\n  Markdown %q\n  Text     %q\n", src, replies.Markdown(src), replies.Text(src))
	}
	// Output:
	// "\\*\\*bold\\*\\*"
	//   Markdown "*\u200b*bold*\u200b*"
	//   Text     "**bold**"
	// "\\<\\@all\\>"
	//   Markdown "<\u200b@all>"
	//   Text     "<\u200b@all>"
	// "\\# not a heading"
	//   Markdown "\u200b# not a heading"
	//   Text     "# not a heading"
	// "1\\. not a list"
	//   Markdown "1. not a list"
	//   Text     "1. not a list"
	// "\\[x\\]\\(http\\:\\/\\/evil\\)"
	//   Markdown "[x]\u200b(http://evil)"
	//   Text     "[x](http://evil)"
}

func ExampleSplit() {
	reply := replies.Markdown("# Report\n\nfirst paragraph\n\nsecond paragraph, a little longer")
	for _, chunk := range replies.Split(reply, 40) {
		fmt.Printf("%q\n", chunk)
	}
	// Output:
	// "# Report\n\nfirst paragraph"
	// "second paragraph, a little longer"
}
