// The console's only script: confirmation of decisions, and inside WeCom the JS-SDK (wx.config and
// wx.agentConfig with the bot's signatures, so closeWindow and selectEnterpriseContact work).
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
    });
  });
  if (!document.body.hasAttribute("data-wecom") || typeof wx === "undefined") return;
  var page = location.href.split("#")[0];
  fetch("/console/jssdk?url=" + encodeURIComponent(page), { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("jssdk " + r.status); return r.json(); })
    .then(function (s) {
      wx.config({ beta: true, debug: false, appId: s.config.corpid, timestamp: s.config.timestamp,
        nonceStr: s.config.nonceStr, signature: s.config.signature, jsApiList: ["closeWindow"] });
      wx.ready(function () {
        wx.agentConfig({ corpid: s.agentConfig.corpid, agentid: s.agentConfig.agentid,
          timestamp: s.agentConfig.timestamp, nonceStr: s.agentConfig.nonceStr, signature: s.agentConfig.signature,
          jsApiList: ["selectEnterpriseContact"],
          success: function () {
            // A member is chosen from WeCom's own address book rather than typed (selectEnterpriseContact).
            document.querySelectorAll("button[data-pick]").forEach(function (b) {
              var input = document.getElementById(b.getAttribute("data-pick"));
              b.hidden = false;
              b.addEventListener("click", function () {
                wx.invoke("selectEnterpriseContact", { fromDepartmentId: -1, mode: "single", type: ["user"] }, function (res) {
                  if (res.err_msg !== "selectEnterpriseContact:ok") return;
                  var r = typeof res.result === "string" ? JSON.parse(res.result) : res.result;
                  if (r && r.userList && r.userList.length) { input.value = r.userList[0].id; input.form.submit(); }
                });
              });
            });
          } });
        var close = document.getElementById("close");
        if (close) {
          close.hidden = false;
          close.addEventListener("click", function (e) { e.preventDefault(); wx.closeWindow(); });
        }
        if (document.getElementById("result") && !document.getElementById("error")) {
          setTimeout(function () { wx.closeWindow(); }, 1500); // a decision made inside WeCom: back to the chat
        }
      });
    })
    .catch(function () { /* the page works without the JS-SDK */ });
})();
