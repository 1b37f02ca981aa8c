"""Thin views: fetch with a permission-checked selector (404 when hidden), call one service,
redirect (POST/redirect/GET, so everything works without JavaScript)."""

import time
from types import SimpleNamespace

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.forms import form_add_validation_error, messages_add_validation_error, validation_text
from common.ratelimit import rate_limited
from common.registry import registry
from common.storage import private_attachment_response
from community.access import member_or_visitor, member_required, staff_required
from community.models import User

from . import selectors, services
from .access import groups_visible_to
from .forms import (
    GroupFilterForm,
    GroupForm,
    GroupLevelForm,
    InviteForm,
    LevelForm,
    MoveForm,
    PollVoteForm,
    PostEditForm,
    PostForm,
    ReactionForm,
    ReportDecisionForm,
    ReportForm,
    RoleForm,
    SearchForm,
    TopicForm,
)
from .models import Membership, MembershipStatus, NotifyLevel, PollKind, PollResults, Post, PostRevision, Report
from .rendering import render_posts, render_topic_rows
from .visitor_cache import visitor_page


# --- Groups -----------------------------------------------------------------------------------
@member_or_visitor
def group_list(request):
    form = GroupFilterForm(request.GET)
    if not request.user.is_authenticated:
        del form.fields["mes"]
    data = form.cleaned_data if form.is_valid() else {}
    groups = list(
        selectors.group_list_for_viewer(
            viewer=request.user, q=data.get("q", "").strip(), kind=data.get("type", ""), mine=bool(data.get("mes"))
        )
    )
    context = {"groups": groups, "form": form, "visitor": not request.user.is_authenticated, "current_section": "groupes"}
    return TemplateResponse(request, "groups/group_list.html", context)


@member_required
def group_create(request):
    form = GroupForm(request.POST or None, request.FILES or None, initial={"access": "open"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=request.user,
                name=data["name"],
                description=data["description"],
                kind=data["kind"],
                access=data["access"],
                avatar=data["avatar"],
                categories=data["categories"].split(","),
                is_public=data["is_public"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Groupe créé."))
            return redirect(group.get_absolute_url())
    return TemplateResponse(request, "groups/group_form.html", {"form": form, "current_section": "groupes"})


@member_required
def group_edit(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    if not ctx.can_admin:
        raise PermissionDenied
    group = ctx.group
    initial = {
        "name": group.name,
        "description": group.description,
        "kind": group.kind,
        "access": group.access,
        "is_public": group.is_public,
        "categories": ", ".join(group.categories.values_list("name", flat=True)),
    }
    form = GroupForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_update(
                group=group,
                actor=request.user,
                name=data["name"],
                description=data["description"],
                kind=data["kind"],
                access=data["access"],
                avatar=data["avatar"],
                categories=data["categories"],
                is_public=data["is_public"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Groupe enregistré."))
            return redirect(group.get_absolute_url())
    return TemplateResponse(request, "groups/group_form.html", {"form": form, "group": group, "ctx": ctx, "current_section": "groupes"})


@member_or_visitor
def group_detail(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    if not request.user.is_authenticated:  # a public group (others raised): the same page for every visitor
        return visitor_page(request, group_id=ctx.group.pk, build=lambda: _group_page(request, ctx))
    return _group_page(request, ctx)


def _group_page(request, ctx):
    group = ctx.group
    visitor = not request.user.is_authenticated
    category, tag = request.GET.get("categorie", ""), request.GET.get("etiquette", "")
    page = None
    topics = selectors.topic_list_for_group(viewer=request.user, group=group, moderator=ctx.can_moderate, category=category, tag=tag)
    shared = selectors.group_page_shared(
        group=group, topics=topics, moderator=ctx.can_moderate, category=category, tag=tag, with_members=not visitor
    )
    if ctx.is_member or not group.is_secret:
        page = selectors.topic_rows_page(topics, page=request.GET.get("page"), count=shared["topic_count"])
    context = {
        "group": group,
        "ctx": ctx,
        "visitor": visitor,
        "page": page,
        "topic_rows": render_topic_rows(page.object_list, group=group) if page else "",
        "categories": selectors.group_categories(group),
        "category": category,
        "tag": tag,
        "activity": shared["activity"],
        "member_count": group.active_member_count,
        "level_form": GroupLevelForm(initial={"level": ctx.membership.notify_default}, auto_id="group_%s") if ctx.is_member else None,
        "current_section": "groupes",
    }
    return TemplateResponse(request, "groups/group_detail.html", context)


@member_required
def group_panels(request, slug):
    """The other apps' sections of a group page (agenda, date polls, actions, stream), loaded by
    the page after it shows (htmx), or as a page of their own without JavaScript: the group page
    itself stays within its query budget whatever the apps add."""
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    panels = registry.render_panels(registry.group_panels, request, group=ctx.group)
    template = "groups/_panels.html" if request.htmx else "groups/panels_page.html"
    return TemplateResponse(request, template, {"group": ctx.group, "ctx": ctx, "panels": panels, "current_section": "groupes"})


@member_required
@require_POST
def group_join(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    try:
        membership = services.group_join(group=ctx.group, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Vous ne pouvez pas rejoindre ce groupe."))
    else:
        if membership.status == MembershipStatus.REQUESTED:
            messages.success(request, _("Demande envoyée : un·e admin du groupe va l'examiner."))
        else:
            messages.success(request, _("Bienvenue dans le groupe !"))
    return redirect(ctx.group.get_absolute_url())


@member_required
@require_POST
def group_leave(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    try:
        services.group_leave(group=ctx.group, actor=request.user)
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
        return redirect(ctx.group.get_absolute_url())
    messages.success(request, _("Vous avez quitté le groupe."))
    if ctx.group.is_secret:
        return redirect("groups:group_list")
    return redirect(ctx.group.get_absolute_url())


@member_required
@require_POST
def group_notify_default(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    form = GroupLevelForm(request.POST)
    if form.is_valid() and ctx.is_member:
        services.membership_set_notify_default(group=ctx.group, actor=request.user, level=form.cleaned_data["level"])
        messages.success(request, _("Préférence enregistrée."))
    return redirect(ctx.group.get_absolute_url())


@member_required
def group_members(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    group = ctx.group
    memberships = (
        Membership.objects.filter(group=group, status=MembershipStatus.ACTIVE)
        .select_related("user__profile")
        .order_by("role", "user__profile__display_name")
    )
    page = Paginator(memberships, 50).get_page(request.GET.get("page"))
    if ctx.can_admin:
        page.object_list = list(page.object_list)
        for m in page.object_list:
            m.role_form = RoleForm(initial={"role": m.role}, member_name=m.user.public_name, auto_id=f"role-{m.pk}-%s")
    banned = (
        list(Membership.objects.filter(group=group, status=MembershipStatus.BANNED).select_related("user__profile"))
        if ctx.can_moderate
        else []
    )
    invited = (
        list(Membership.objects.filter(group=group, status=MembershipStatus.INVITED).select_related("user__profile"))
        if ctx.can_admin
        else []
    )
    return TemplateResponse(
        request,
        "groups/members.html",
        {
            "group": group,
            "ctx": ctx,
            "page": page,
            "banned": banned,
            "invited": invited,
            "invite_form": InviteForm(),
            "current_section": "groupes",
        },
    )


@member_required
@require_POST
def member_action(request, slug, user_id):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "remove":
            services.member_remove(group=ctx.group, actor=request.user, user=target)
        elif action == "ban":
            services.member_ban(group=ctx.group, actor=request.user, user=target, reason=request.POST.get("reason", ""))
        elif action == "unban":
            services.member_unban(group=ctx.group, actor=request.user, user=target)
        elif action == "role":
            services.member_set_role(group=ctx.group, actor=request.user, user=target, role=request.POST.get("role", ""))
        else:
            raise ValidationError(_("Action inconnue."))
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    else:
        messages.success(request, _("C'est fait."))
    return redirect("groups:members", slug=slug)


@member_required
@require_POST
def group_invite(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        who = form.cleaned_data["who"].strip()
        user = None
        if "@" not in who:
            matches = list(User.objects.filter(Q(profile__display_name__iexact=who) | Q(username__iexact=who), is_active=True)[:2])
            if len(matches) == 1:
                user = matches[0]
            else:
                messages.error(request, _("Aucun membre (ou plusieurs) ne porte ce nom : utilisez son adresse e-mail."))
                return redirect("groups:members", slug=slug)
        try:
            services.group_invite(group=ctx.group, actor=request.user, user=user, email="" if user else who)
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
        else:
            messages.success(request, _("Invitation envoyée."))
    else:
        messages.error(request, _("Indiquez un membre ou une adresse e-mail."))
    return redirect("groups:members", slug=slug)


@member_required
def group_requests(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    if not ctx.can_admin:
        raise PermissionDenied
    if request.method == "POST":
        target = User.objects.filter(pk=request.POST.get("user")).first()
        if target is None:
            raise Http404
        try:
            services.membership_request_decide(
                group=ctx.group, actor=request.user, user=target, accept=request.POST.get("decision") == "accept"
            )
        except ValidationError as exc:
            messages.error(request, validation_text(exc))
        else:
            messages.success(request, _("Demande traitée."))
        return redirect("groups:requests", slug=slug)
    pending = (
        Membership.objects.filter(group=ctx.group, status=MembershipStatus.REQUESTED).select_related("user__profile").order_by("created_at")
    )
    return TemplateResponse(
        request, "groups/requests.html", {"group": ctx.group, "ctx": ctx, "pending": pending, "current_section": "groupes"}
    )


# --- Forum ------------------------------------------------------------------------------------
@member_required
@rate_limited("post")
def topic_create(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    if not ctx.is_member:
        raise PermissionDenied
    form = TopicForm(request.POST or None, request.FILES or None, group=ctx.group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = services.topic_create(
                group=ctx.group,
                actor=request.user,
                title=data["title"],
                body=data["body"],
                category=form.categories.get(data["category"]),
                tags=data["tags"],
                attachments=data["attachments"],
                poll=_poll_arguments(data) if form.wants_poll else None,
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            return redirect(reverse("groups:topic_detail", args=[slug, topic.pk]))
    return TemplateResponse(request, "groups/topic_form.html", {"form": form, "group": ctx.group, "ctx": ctx, "current_section": "groupes"})


def _poll_arguments(data: dict) -> dict:
    return {
        "question": data["poll_question"],
        "options": data["poll_options"],
        "kind": data["poll_kind"] or PollKind.SINGLE,
        "results": data["poll_results"] or PollResults.AFTER_VOTE,
        "anonymous": data["poll_anonymous"],
        "closes_at": data["poll_closes_at"],
    }


@member_or_visitor
def topic_detail(request, slug, pk):
    ctx, topic = selectors.topic_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    if not request.user.is_authenticated:  # a public group's topic: the same page for every visitor
        return visitor_page(
            request,
            group_id=ctx.group.pk,
            build=lambda: TemplateResponse(request, "groups/topic_detail.html", _topic_page_context(request, ctx, topic, form=None)),
        )
    quote = None
    if request.GET.get("citer", "").isdigit():
        quote = (
            Post.objects.filter(topic=topic, pk=request.GET["citer"], is_deleted=False, is_hidden=False)
            .select_related("author__profile")
            .first()
        )
    initial = {"quoted": quote.pk, "body": "\n".join("> " + line for line in quote.body.splitlines()) + "\n\n"} if quote else {}
    context = _topic_page_context(request, ctx, topic, form=PostForm(initial=initial), mark_read=True)
    context["quote"] = quote
    return TemplateResponse(request, "groups/topic_detail.html", context)


def _move_form(request, ctx) -> MoveForm | None:
    """Moderators' "move to" choices: the groups they see, cached a few minutes per moderator (the
    move itself checks the target again), so the topic page keeps its query budget."""
    key = f"groups:move-targets:{request.user.pk}"
    targets = cache.get(key)
    if targets is None:
        targets = list(groups_visible_to(request.user).order_by("name").values_list("slug", "name"))
        cache.set(key, targets, timeout=300)
    targets = [SimpleNamespace(slug=slug, name=name) for slug, name in targets if slug != ctx.group.slug]
    return MoveForm(targets=targets) if targets else None


def _poll_form(poll) -> PollVoteForm | None:
    if poll is None or not poll.can_vote:
        return None
    options = [line.option for line in poll.tally.lines]
    mine = [str(pk) for pk in sorted(poll.my_option_ids)]
    initial = {"options": mine if poll.tally.poll.kind == PollKind.MULTIPLE else (mine[0] if mine else None)}
    return PollVoteForm(poll=poll.tally.poll, options=options, initial=initial, auto_id="poll_%s")


def _topic_page_context(request, ctx, topic, *, form, mark_read: bool = False, poll_form=None) -> dict:
    """What the topic page shows: one page of posts (from the fragment cache), the reply form and
    the viewer's controls. Reading a page marks it read."""
    rendered_at = time.time()  # before reading: the page's script asks for changes made after it
    visitor = not request.user.is_authenticated
    page = selectors.post_page(topic=topic, page=request.GET.get("page"), viewer=request.user)
    # the read marker only moves forward: no write when this page was already read
    if mark_read and page.posts and ctx.is_member and (getattr(topic, "viewer_last_read", None) or 0) < page.posts[-1].pk:
        services.topic_mark_read(topic=topic, actor=request.user, post_id=page.posts[-1].pk)
    level = getattr(topic, "viewer_level", None)  # annotated for members by topic_get_for_viewer
    can_post = ctx.is_member and (not topic.is_locked or ctx.can_moderate)
    poll = selectors.poll_state_for_viewer(topic=topic, viewer=request.user, can_post=ctx.is_member, can_moderate=ctx.can_moderate)
    return {
        "poll": poll,
        "poll_form": poll_form if poll_form is not None and poll is not None and poll.can_vote else _poll_form(poll),
        "group": ctx.group,
        "ctx": ctx,
        "topic": topic,
        "page": page,
        "posts_html": render_posts(
            page.posts,
            topic=topic,
            viewer_id=request.user.pk,
            can_moderate=ctx.can_moderate,
            can_post=can_post,
            csrf_token="" if visitor else get_token(request),  # visitors' pages are shared: no token, no form
            viewer=request.user,
        ),
        "form": form,
        "can_post": can_post,
        "can_moderate": ctx.can_moderate,
        "viewer_id": request.user.pk,
        "level_form": LevelForm(initial={"level": level or (ctx.membership.notify_default if ctx.membership else NotifyLevel.NORMAL)})
        if ctx.is_member
        else None,
        "last_post_id": page.posts[-1].pk if page.posts else 0,
        "rendered_at": f"{rendered_at:.3f}",
        "is_last_page": not page.has_next(),
        "move_form": _move_form(request, ctx) if ctx.can_moderate else None,
        "visitor": visitor,
        "current_section": "groupes",
    }


@member_required
@rate_limited("post")
@require_POST
def post_create(request, slug, pk):
    ctx, topic = selectors.topic_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    form = PostForm(request.POST, request.FILES)
    if form.is_valid():
        quoted = None
        if form.cleaned_data.get("quoted"):
            quoted = Post.objects.filter(topic=topic, pk=form.cleaned_data["quoted"]).first()
        try:
            post = services.post_create(
                topic=topic,
                actor=request.user,
                body=form.cleaned_data["body"],
                quoted=quoted,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if request.htmx:
                return HttpResponse(status=204)
            return redirect(selectors.post_permalink(post))
    return TemplateResponse(request, "groups/topic_detail.html", _topic_page_context(request, ctx, topic, form=form), status=400)


@member_required
def topic_first_unread(request, slug, pk):
    _ctx, topic = selectors.topic_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    post_id = selectors.first_unread_post_id(topic=topic, user=request.user)
    post = (
        Post.objects.select_related("topic__group").filter(pk=post_id).first()
        if post_id
        else topic.posts.select_related("topic__group").order_by("-id").first()
    )
    if post is None:
        return redirect(topic.get_absolute_url())
    return redirect(selectors.post_permalink(post))


@member_required
@require_POST
def topic_level(request, slug, pk):
    ctx, topic = selectors.topic_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    form = LevelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Niveau de notification inconnu."))
    elif not ctx.is_member:
        raise PermissionDenied
    else:
        services.topic_set_level(topic=topic, actor=request.user, level=form.cleaned_data["level"])
        messages.success(request, _("Préférence de notification enregistrée."))
    return redirect(topic.get_absolute_url())


@member_required
@require_POST
def topic_moderate(request, slug, pk):
    ctx, topic = selectors.topic_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    action = request.POST.get("action", "")
    try:
        if action == "move":
            target = groups_visible_to(request.user).filter(slug=request.POST.get("target", "")).first()
            if target is None:
                raise ValidationError(_("Groupe de destination inconnu."))
            services.topic_move(topic=topic, actor=request.user, target=target)
            messages.success(request, _("Sujet déplacé."))
            return redirect(reverse("groups:topic_detail", args=[target.slug, topic.pk]))
        services.topic_moderate(topic=topic, actor=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, validation_text(exc))
    else:
        messages.success(request, _("C'est fait."))
    if action == "hide":
        return redirect(ctx.group.get_absolute_url())
    return redirect(topic.get_absolute_url())


@member_or_visitor
def post_permalink(request, slug, post_id):
    _ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    return redirect(selectors.post_permalink(post))


@member_required
def post_edit(request, slug, post_id):
    ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    if post.is_deleted or not (ctx.can_moderate or (post.author_id == request.user.pk and ctx.is_member)):
        raise PermissionDenied
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(post=post, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Message modifié."))
            return redirect(selectors.post_permalink(post))
    return TemplateResponse(
        request,
        "groups/post_edit.html",
        {"form": form, "post": post, "group": ctx.group, "topic": post.topic, "current_section": "groupes"},
    )


@member_required
@require_POST
def post_delete(request, slug, post_id):
    _ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    services.post_delete(post=post, actor=request.user)
    messages.success(request, _("Message supprimé."))
    return redirect(selectors.post_permalink(post))


@member_required
@require_POST
def post_hide(request, slug, post_id):
    _ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    services.post_hide(post=post, actor=request.user, hidden=request.POST.get("action") != "restore")
    messages.success(request, _("C'est fait."))
    return redirect(selectors.post_permalink(post))


@member_required
@require_POST
def post_react(request, slug, post_id):
    _ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    form = ReactionForm(request.POST)
    if form.is_valid():
        services.reaction_toggle(post=post, actor=request.user, kind=form.cleaned_data["kind"])
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(selectors.post_permalink(post))


@member_required
@rate_limited("report")
def post_report(request, slug, post_id):
    ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_report(post=post, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            messages.success(request, _("Merci : les modérateur·rices du groupe vont examiner ce message."))
            return redirect(selectors.post_permalink(post))
    return TemplateResponse(
        request,
        "groups/post_report.html",
        {"form": form, "post": post, "group": ctx.group, "topic": post.topic, "current_section": "groupes"},
    )


@member_required
def post_history(request, slug, post_id):
    ctx, post = selectors.post_get_for_viewer(viewer=request.user, slug=slug, post_id=post_id)
    if not ctx.can_moderate:
        raise PermissionDenied
    revisions = PostRevision.objects.filter(post=post).select_related("edited_by__profile")
    return TemplateResponse(
        request,
        "groups/post_history.html",
        {"post": post, "revisions": revisions, "group": ctx.group, "topic": post.topic, "current_section": "groupes"},
    )


@member_required
def attachment_download(request, slug, pk):
    att = selectors.attachment_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    return private_attachment_response(request, att)


# --- Polls ------------------------------------------------------------------------------------
def _poll_response(request, ctx, topic, *, poll_form=None, status=200):
    """htmx gets the poll section alone; a plain form POST gets the topic page back (redirected
    after success, re-shown with the form's errors otherwise)."""
    if request.htmx or status != 200:
        context = _topic_page_context(request, ctx, topic, form=PostForm(), poll_form=poll_form)
        template = "groups/_poll.html" if request.htmx else "groups/topic_detail.html"
        return TemplateResponse(request, template, context, status=200 if request.htmx else status)  # htmx swaps 2xx only
    return redirect(topic.get_absolute_url() + "#sondage")


@member_required
@require_POST
def poll_vote(request, slug, pk):
    ctx, topic, poll = selectors.poll_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    form = PollVoteForm(request.POST, poll=poll, options=list(poll.options.all()), auto_id="poll_%s")
    if form.is_valid():
        try:
            services.poll_vote(poll=poll, actor=request.user, option_ids=form.option_ids())
        except ValidationError as exc:
            form_add_validation_error(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Votre vote est enregistré."))
            return _poll_response(request, ctx, topic)
    return _poll_response(request, ctx, topic, poll_form=form, status=400)


@member_required
@require_POST
def poll_close(request, slug, pk):
    ctx, topic, poll = selectors.poll_get_for_viewer(viewer=request.user, slug=slug, pk=pk)
    try:
        services.poll_close(poll=poll, actor=request.user)
    except ValidationError as exc:
        messages_add_validation_error(request, exc)
    else:
        messages.success(request, _("Sondage clos : son résultat est enregistré."))
    return redirect(topic.get_absolute_url() + "#sondage")


# --- Moderation -------------------------------------------------------------------------------
def _decide_reports(request, reports_qs):
    report = reports_qs.filter(pk=request.POST.get("report")).first()
    if report is None:
        raise Http404
    form = ReportDecisionForm(request.POST)
    hide = form.is_valid() and form.cleaned_data["hide"]
    services.report_decide(report=report, actor=request.user, status=request.POST.get("status", ""), hide=hide)
    messages.success(request, _("Signalement traité."))


def _with_decision_forms(reports) -> list[Report]:
    reports = list(reports)
    for report in reports:
        report.decision_form = ReportDecisionForm(auto_id=f"report-{report.pk}-%s")
    return reports


@member_required
def group_moderation(request, slug):
    ctx = selectors.group_context(viewer=request.user, slug=slug)
    if not ctx.can_moderate:
        raise PermissionDenied
    reports = selectors.reports_for_group(group=ctx.group)
    if request.method == "POST":
        _decide_reports(request, reports)
        return redirect("groups:moderation", slug=slug)
    return TemplateResponse(
        request,
        "groups/moderation.html",
        {
            "group": ctx.group,
            "ctx": ctx,
            "reports": _with_decision_forms(reports),
            "log": selectors.moderation_log_for_group(group=ctx.group),
            "current_section": "groupes",
        },
    )


@staff_required
def hub_moderation(request):
    reports = selectors.reports_hub_wide()
    if request.method == "POST":
        _decide_reports(request, reports)
        return redirect("groups:hub_moderation")
    context = {
        "reports": _with_decision_forms(reports),
        "hub_wide": True,
        "panels": registry.render_panels(registry.moderation_panels, request),
        "current_section": "groupes",
    }
    return TemplateResponse(request, "groups/moderation.html", context)


# --- Search -----------------------------------------------------------------------------------
@member_required
def search(request):
    groups = list(groups_visible_to(request.user).order_by("name").only("slug", "name"))
    form = SearchForm(request.GET or None, groups=groups)
    results = None
    if form.is_valid() and any(form.cleaned_data.values()):
        data = form.cleaned_data
        group = next((g for g in groups if g.slug == data["groupe"]), None)  # the form only accepts visible groups
        qs = selectors.search_posts(
            viewer=request.user, q=data["q"], group=group, author_id=data["auteur"], date_from=data["du"], date_to=data["au"]
        )
        results = Paginator(qs, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "groups/search.html", {"form": form, "results": results, "current_section": "groupes"})
