// Package bench compares the bot's durable callback handler with a peer built on a widely used Go WeChat/WeCom
// SDK (github.com/silenceper/wechat/v2's message crypto) and a bare net/http handler, under the same encrypted
// load. It is a module of its own so that the product does not depend on the SDK.
//
//	cd bench && go test -run '^$' -bench Peers -benchtime 20000x
//
// The peer verifies the signature, decrypts and parses the callback, and answers synchronously without storing
// it, as bots built on the SDK do; ours stores every callback durably (fsync) before its 200. The ratio of the
// two is what never losing a callback costs.
package bench
