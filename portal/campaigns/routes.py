"""Campaign set-up pages: rounds, zone targets, sites, labs and the routing plan."""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.campaigns import bp, services
from portal.campaigns.forms import CampaignForm, LabForm, RouteForm, RoundForm, SiteForm, TargetForm
from portal.campaigns.models import Campaign, CampaignKind, Site, SiteKind, ZoneTarget
from portal.extensions import db
from portal.permissions import Ability, can, require, scoped


@bp.route("/")
@require(Ability.VIEW_CAMPAIGNS)
def list_campaigns():
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    return render_template("campaigns/list.html", campaigns=campaigns, form=CampaignForm())


@bp.route("/new", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def create_campaign():
    form = CampaignForm()
    if form.validate_on_submit():
        if not can(current_user, Ability.MANAGE_CAMPAIGNS, form.unit_code.unit):
            form.unit_code.errors.append("Bạn không quản lý đơn vị này.")
        else:
            try:
                campaign = services.create_campaign(current_user, form.name.data, CampaignKind(form.kind.data),
                                                    form.unit_code.unit, form.starts_on.data, form.ends_on.data)
            except services.CampaignError as exc:
                form.name.errors.append(str(exc))
            else:
                flash(f"Đã tạo chiến dịch {campaign.name}.", "success")
                return redirect(url_for("campaigns.show_campaign", campaign_id=campaign.id))
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc())).all()
    return render_template("campaigns/list.html", campaigns=campaigns, form=form), 422


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _managed(campaign_id: int) -> Campaign:
    campaign = _campaign(campaign_id)
    if not can(current_user, Ability.MANAGE_CAMPAIGNS, campaign.unit):
        abort(404)
    return campaign


def _page(campaign: Campaign, status: int = 200, **forms):
    sites = db.session.scalars(scoped(select(Site).where(Site.campaign_id == campaign.id), current_user,
                                      Ability.VIEW_CAMPAIGNS, Site.unit_id).order_by(Site.unit_id, Site.name)).all()
    targets = db.session.scalars(select(ZoneTarget).where(ZoneTarget.campaign_id == campaign.id)).all()
    forms = {"round_form": RoundForm(formdata=None), "target_form": TargetForm(formdata=None),
             "site_form": SiteForm(formdata=None), "lab_form": LabForm(formdata=None),
             "route_form": RouteForm(formdata=None), **forms}
    return render_template("campaigns/show.html", campaign=campaign, rounds=services.rounds_of(campaign),
                           targets=sorted(targets, key=lambda t: ["lockdown", "high_risk", "other"].index(t.zone)),
                           sites=sites, labs=services.labs_of(campaign), routes=services.routes_of(campaign),
                           can_manage=can(current_user, Ability.MANAGE_CAMPAIGNS, campaign.unit),
                           SiteKind=SiteKind, **forms), status


@bp.route("/<int:campaign_id>")
@require(Ability.VIEW_CAMPAIGNS)
def show_campaign(campaign_id):
    return _page(_campaign(campaign_id))


def _apply(campaign, form, name, action, message):
    """Validate a set-up form, run the service, then redirect (or show the page with errors)."""
    if form.validate_on_submit():
        try:
            action(form)
        except services.CampaignError as exc:
            next(iter(form._fields.values())).errors.append(str(exc))
        else:
            flash(message, "success")
            return redirect(url_for("campaigns.show_campaign", campaign_id=campaign.id))
    return _page(campaign, 422, **{name: form})


@bp.route("/<int:campaign_id>/rounds", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def add_round(campaign_id):
    campaign = _managed(campaign_id)
    return _apply(campaign, RoundForm(), "round_form",
                  lambda f: services.add_round(current_user, campaign, f.starts_on.data, f.ends_on.data), "Đã thêm đợt.")


@bp.route("/<int:campaign_id>/targets", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def set_target(campaign_id):
    campaign = _managed(campaign_id)
    return _apply(campaign, TargetForm(), "target_form",
                  lambda f: services.set_target(current_user, campaign, f.zone.data, f.rounds_required.data,
                                                f.deadline.data), "Đã cập nhật chỉ tiêu.")


@bp.route("/<int:campaign_id>/sites", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def add_site(campaign_id):
    campaign = _managed(campaign_id)
    return _apply(campaign, SiteForm(), "site_form",
                  lambda f: services.add_site(current_user, campaign, SiteKind(f.kind.data), f.name.data,
                                              f.commune_code.unit, f.address.data), "Đã thêm điểm.")


@bp.route("/<int:campaign_id>/labs", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def add_lab(campaign_id):
    campaign = _managed(campaign_id)
    return _apply(campaign, LabForm(), "lab_form",
                  lambda f: services.add_lab(current_user, campaign, f.lab_code.unit, f.is_default.data),
                  "Đã thêm phòng xét nghiệm.")


@bp.route("/<int:campaign_id>/routes", methods=["POST"])
@require(Ability.MANAGE_CAMPAIGNS)
def set_route(campaign_id):
    campaign = _managed(campaign_id)
    return _apply(campaign, RouteForm(), "route_form",
                  lambda f: services.set_route(current_user, campaign, f.area_code.unit, f.lab_code.unit),
                  "Đã cập nhật phân luồng.")
