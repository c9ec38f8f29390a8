"""Error pages in Vietnamese, without stack traces."""
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError

from portal.database import is_sqlite_lock, retry_if_locked
from portal.extensions import db

MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng kiểm tra và thử lại."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không có quyền thực hiện thao tác này."),
    404: ("Không tìm thấy", "Trang hoặc dữ liệu bạn tìm không tồn tại, hoặc bạn không có quyền xem."),
    405: ("Thao tác không được hỗ trợ", "Địa chỉ này không hỗ trợ thao tác bạn vừa thực hiện."),
    413: ("Tệp quá lớn", "Tệp tải lên vượt quá dung lượng cho phép."),
    409: ("Dữ liệu vừa thay đổi", "Dữ liệu vừa được thay đổi bởi một thao tác khác (có thể bạn đã bấm gửi hai lần). "
                                  "Thao tác này chưa được lưu. Vui lòng tải lại trang và kiểm tra."),
    429: ("Quá nhiều yêu cầu", "Bạn thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại."),
    503: ("Hệ thống đang bận", "Hệ thống đang bận. Thao tác chưa được lưu. Vui lòng thử lại sau ít phút."),
    500: ("Lỗi hệ thống", "Đã có lỗi xảy ra. Dữ liệu của bạn chưa bị thay đổi. Vui lòng thử lại sau."),
}


def _page(code: int, message: str | None = None):
    title, text = MESSAGES.get(code, MESSAGES[500])
    template = f"errors/{code}.html" if code in (403, 404, 500) else "errors/error.html"
    return render_template(template, code=code, title=title, text=message or text), code


def init_app(app: Flask) -> None:
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, lambda exc, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        app.logger.warning("CSRF refused: %s", exc.description)
        return _page(400, "Phiên biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.")

    @app.errorhandler(IntegrityError)
    def write_conflict(exc):
        """Two writers raced (a double-clicked submit): the loser's change is refused whole."""
        db.session.rollback()
        app.logger.warning("write conflict refused: %s", type(exc.orig).__name__)
        return _page(409)

    @app.errorhandler(OperationalError)
    def database_busy(exc):
        db.session.rollback()
        retry_if_locked(exc)  # the first lock runs the request once more (portal/database.py)
        if not (is_sqlite_lock(exc) or "locked" in str(exc.orig).lower()):
            app.logger.error("database error: %s", type(exc.orig).__name__)
            return _page(500)
        app.logger.warning("database busy: the write waited too long")
        return _page(503)

    @app.errorhandler(500)
    def server_error(exc):
        db.session.rollback()
        return _page(500)
