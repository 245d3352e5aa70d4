// The Create / Edit DID form's Rate plan choice: a plan fills in its terms read-only (and the cost
// preview follows); "Custom terms" makes them editable again. Without this script the server
// still applies the plan's terms on save.
document.addEventListener('DOMContentLoaded', function () {
  var select = document.querySelector('[data-rate-plan-select]');
  var holder = document.querySelector('[data-rate-plans]');
  if (!select || !holder) return;
  var plans = JSON.parse(holder.getAttribute('data-rate-plans') || '[]');
  var form = select.form;
  var names = ['connection_cost', 'grace_seconds', 'cost_per_minute', 'initial_increment', 'increment'];
  select.addEventListener('change', function () {
    var plan = plans.find(function (p) { return p.id === select.value; });
    names.forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (!input) return;
      if (plan && plan.terms) input.value = String(plan.terms[name]);
      input.readOnly = Boolean(plan);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });
});
