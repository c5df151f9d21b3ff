/* Starts Swagger UI on /api/v1/docs; a file, not an inline script, so the page keeps the strict CSP. */
"use strict";
window.addEventListener("load", function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.spec, dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout",
  });
});
