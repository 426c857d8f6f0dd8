package wecom

import (
	"reflect"
	"testing"
)

var flatSeeds = []string{
	"<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n<Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc]]></Encrypt>\n<AgentID><![CDATA[218]]></AgentID>\n</xml>",
	`<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>`,
	"<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n<FromUserName><![CDATA[messense]]></FromUserName>\n<CreateTime>1411525903</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n<MsgId>4363689963896700987</MsgId>\n<AgentID>1</AgentID>\n</xml>",
	`<xml><FromUserName>a</FromUserName><MsgType>event</MsgType><CreateTime> 12 </CreateTime><Event>click</Event></xml>`,
	`<xml><FromUserName>a</FromUserName><MsgType>text</MsgType><CreateTime></CreateTime><Content>a &amp; b</Content></xml>`,
	"<xml><FromUserName>a</FromUserName><MsgType>text</MsgType><Content>line\r\nbreak</Content></xml>",
	`<xml><FromUserName>a</FromUserName><FromUserName>b</FromUserName><MsgType>text</MsgType></xml>`,
	`<xml><Encrypt><![CDATA[a]]><![CDATA[b]]></Encrypt></xml>`,
	`<xml><Foo><Encrypt><![CDATA[nested]]></Encrypt></Foo><Encrypt>top</Encrypt></xml>`,
	`<xml><a:Encrypt>ns</a:Encrypt></xml>`,
	`<xml><Encrypt x="1">attr</Encrypt></xml>`,
	`<xml><!-- c --><Encrypt>after comment</Encrypt></xml>`,
	`<?xml version="1.0"?><xml><Encrypt>decl</Encrypt></xml>`,
	"<xml><Content>\x01</Content></xml>",
	"<xml><Content>\xff</Content></xml>",
	`<xml><CreateTime>x</CreateTime><FromUserName>a</FromUserName><MsgType>t</MsgType></xml>`,
	`<xml>text<Encrypt>e</Encrypt></xml>`,
	`<xml><Encrypt>]]></Encrypt></xml>`,
}

// FuzzFlatXML checks the fast path against encoding/xml: whenever the fast path answers, encoding/xml must
// give the same result. The fast path may decline anything; it may never differ.
func FuzzFlatXML(f *testing.F) {
	for _, s := range flatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if e, ok := parseEnvelopeFast(b); ok {
			slow, err := parseEnvelopeXML(b)
			if err != nil {
				t.Fatalf("envelope: fast path read %+v, encoding/xml refused: %v", e, err)
			}
			if *slow != *e {
				t.Fatalf("envelope: fast %+v != encoding/xml %+v", e, slow)
			}
		}
		if m, ok := parseInboundFast(b); ok {
			slow, err := parseInboundXML(b)
			if err != nil {
				t.Fatalf("inbound: fast path read %+v, encoding/xml refused: %v", m, err)
			}
			if !reflect.DeepEqual(m, slow) {
				t.Fatalf("inbound: fast %+v != encoding/xml %+v", m, slow)
			}
		}
	})
}

func TestFlatXML_seedsAgree(t *testing.T) {
	fast := 0
	for _, s := range flatSeeds {
		if _, ok := parseInboundFast([]byte(s)); ok {
			fast++
		}
	}
	// The three WeCom samples (and the spaced CreateTime) take the fast path; the odd ones fall back.
	if fast != 4 {
		t.Errorf("fast path took %d seeds; want 4", fast)
	}
}
