// Starts Swagger UI (served from /static/swagger-ui) on the API reference page; no inline script (CSP).
(function () {
  var element = document.getElementById('swagger-ui');
  if (!element || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({ url: element.getAttribute('data-url'), dom_id: '#swagger-ui', deepLinking: true, tryItOutEnabled: false });
})();
