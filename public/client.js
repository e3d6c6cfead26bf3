// Starts the WASM client and hydrates the page's islands (the forms that check as they are
// typed). Only pages with an island load this file; the page names the content-hashed
// module and binary on this script's own tag, so there is no inline script and no nonce.
(function () {
  var tag = document.currentScript;
  if (!tag) return;
  var js = tag.getAttribute('data-js');
  var wasm = tag.getAttribute('data-wasm');
  import(js)
    .then(function (mod) {
      return mod.default({ module_or_path: wasm }).then(function () {
        mod.hydrate();
        var islands = document.querySelectorAll('leptos-island');
        var missing = 0;
        for (var i = 0; i < islands.length; i++) {
          var el = islands[i];
          var start = mod[el.dataset.component];
          if (start) start(el);
          else {
            missing++;
            console.error('the page bundle has no code for island ' + el.dataset.component);
          }
        }
        // Browser tests wait for this mark before typing; a page whose bundle lacks one of
        // its islands never gets it. The performance mark is the page's time to interactive
        // (scripts/bench firstload reads it).
        if (!missing) {
          document.body.setAttribute('data-hydrated', 'true');
          if (window.performance && performance.mark) performance.mark('ncre-interactive');
        }
      });
    })
    .catch(function (e) {
      // The page still works as plain forms; say why the live checks are missing.
      console.error('the page client could not start', e);
    });
})();
