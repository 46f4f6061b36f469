// The copy button of the chat reply (templates/_reply.html); the page works without it.
(function () {
  var button = document.getElementById('copy-reply');
  var text = document.getElementById('reply-text');
  if (!button || !text) return;
  button.hidden = false;
  function done() { button.textContent = '已复制，去群里粘贴吧'; }
  function fallback() { text.focus(); text.select(); try { document.execCommand('copy'); done(); } catch (e) {} }
  text.addEventListener('focus', function () { text.select(); });
  button.addEventListener('click', function () {
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text.value).then(done, fallback);
    } else {
      fallback();
    }
  });
})();
