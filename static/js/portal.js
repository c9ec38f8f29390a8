// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  function flash(text) {
    var area = document.getElementById("flash");
    if (!area) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    area.appendChild(p);
  }
  document.addEventListener("htmx:responseError", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) return; // the fragment shows its own message
    if (status === 403) flash("Bạn không có quyền thực hiện thao tác này.");
    else if (status === 404) flash("Không tìm thấy dữ liệu.");
    else if (status === 429) flash("Bạn thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại.");
    else flash("Đã có lỗi xảy ra. Dữ liệu chưa bị thay đổi. Vui lòng thử lại.");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Không kết nối được tới máy chủ. Vui lòng kiểm tra mạng và thử lại.");
  });
  // A list that shows its last rows (data-keep-rows="N") gets new rows on top through an
  // out-of-band swap (the sampling point's last samples): drop the placeholder and the oldest.
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-keep-rows]").forEach(function (list) {
      var keep = parseInt(list.getAttribute("data-keep-rows"), 10);
      var rows = list.querySelectorAll(":scope > tr:not(.empty-row)");
      if (rows.length) list.querySelectorAll(":scope > tr.empty-row").forEach(function (row) { row.remove(); });
      for (var i = keep; i < rows.length; i++) rows[i].remove();
    });
  });
  // Let htmx swap 4xx fragments that carry validation messages.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });
})();
