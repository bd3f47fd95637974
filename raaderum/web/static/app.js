// Råderum: the little script the pages need (no inline scripts, so the Content-Security-Policy can forbid them).
// A range slider with data-output="ID" shows its value, in Danish number format, in the <output> with that id.
document.addEventListener("input", function (event) {
  var el = event.target;
  if (!el || !el.dataset || !el.dataset.output) return;
  var out = document.getElementById(el.dataset.output);
  if (out) out.value = Number(el.value).toLocaleString("da-DK", {minimumFractionDigits: 2});
});
