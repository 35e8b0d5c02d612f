/* The connection wizard: custom URLs only for the custom environment, the chosen adapter's
   settings only; the button says the tests are running. Without it every field shows. */
(function () {
  var form = document.getElementById("wizard-form");
  var env = form.querySelector("[name=environment]");
  var adapter = form.querySelector("[name=adapter_key]");
  function sync() {
    var custom = env.value === "custom";
    form.querySelectorAll("[data-field=login_base_url],[data-field=api_base_url]").forEach(function (p) { p.hidden = !custom; });
    form.querySelectorAll(".adapter-settings").forEach(function (d) { d.hidden = d.dataset.adapter !== adapter.value; });
  }
  env.addEventListener("change", sync); adapter.addEventListener("change", sync); sync();
  form.addEventListener("submit", function () { var b = document.getElementById("wizard-run"); b.disabled = true; b.textContent = "Testing both sides…"; });
})();
