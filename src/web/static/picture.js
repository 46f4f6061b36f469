// The picture form on the home page (templates/index.html): a chosen picture is sent at once, and
// a picture pasted anywhere on the page (a screenshot copied from a chat) is sent too. The form
// works without this script, with its own button.
(function () {
  var form = document.getElementById('picture-form');
  var input = document.getElementById('image');
  if (!form || !input) return;
  input.addEventListener('change', function () { if (input.files && input.files.length) form.submit(); });
  if (typeof DataTransfer === 'undefined') return;
  var hint = document.getElementById('paste-hint');
  if (hint) hint.hidden = false;
  document.addEventListener('paste', function (event) {
    var items = (event.clipboardData && event.clipboardData.files) || [];
    for (var i = 0; i < items.length; i++) {
      if (items[i].type.indexOf('image/') === 0) {
        var files = new DataTransfer();
        files.items.add(items[i]);
        input.files = files.files;
        event.preventDefault();
        form.submit();
        return;
      }
    }
  });
})();
