"""Authorisation matrix: every URL of the root resolver, for every role, with the expected status.

The table is the specification: a route added without a row fails ``test_every_route_is_in_the_matrix``.
Expected codes follow ARCHITECTURE.md: anonymous is sent to the login page (302) except on public
pages; a pending account is parked on ``/en-attente/`` (302); hidden things (secret group, private
collection, someone else's application, unpublished place) are 404 exactly like missing ones;
visible but not allowed is 403; GET on a POST-only action is 405. Cells are in ``ROLES`` order:
anonymous, pending, member, outsider, moderator, group_admin, place_manager, reviewer, staff.
"member", "moderator" and "group_admin" belong to both the open and the secret group; "outsider"
is an approved member of neither; "place_manager" manages the place and applied for the label;
"reviewer" is assigned to that application.
"""

import re

import pytest
from django.db import transaction
from django.test import Client

from tests.security.urlenum import all_patterns
from tests.security.urltable import BUILDERS
from tests.security.world import ROLES, build_world

# Routes left out, with the reason.
EXCLUDED_PREFIXES = {
    "cms/": "Wagtail admin: its own permission system (wagtailadmin.access_admin), tested by Wagtail; staff only.",
    "django-admin/": "Django admin: is_staff + model permissions, tested by Django.",
    "static/": "static files (WhiteNoise): public by design.",
    "media/": "media files: only mounted with DEBUG; private files go through permission-checked views.",
}

# route name -> expected GET status per role (ROLES order).
GET_MATRIX = {
    "healthz": "200 200 200 200 200 200 200 200 200",
    "markdown_preview": "405 302 405 405 405 405 405 405 405",  # POST only
    "web_manifest": "200 200 200 200 200 200 200 200 200",
    "service_worker": "200 200 200 200 200 200 200 200 200",
    "offline": "200 200 200 200 200 200 200 200 200",
    "readyz": "200 200 200 200 200 200 200 200 200",
    "account_login": "200 302 302 302 302 302 302 302 302",
    "account_logout": "302 200 200 200 200 200 200 200 200",
    "account_inactive": "200 200 200 200 200 200 200 200 200",
    "account_signup": "200 302 302 302 302 302 302 302 302",
    "account_reauthenticate": "302 200 200 200 200 200 200 200 200",
    "account_email": "302 200 200 200 200 200 200 200 200",
    "account_email_verification_sent": "200 200 200 200 200 200 200 200 200",
    "account_change_password": "302 200 200 200 200 200 200 200 200",
    "account_set_password": "302 302 302 302 302 302 302 302 302",
    "account_reset_password": "200 200 200 200 200 200 200 200 200",
    "account_confirm_login_code": "302 302 302 302 302 302 302 302 302",
    "account_confirm_email": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_from_key_done": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_from_key": "200 200 200 200 200 200 200 200 200",
    "account_reset_password_done": "200 200 200 200 200 200 200 200 200",
    "mfa_index": "302 200 200 200 200 200 200 200 200",
    "mfa_authenticate": "302 302 302 302 302 302 302 302 302",
    "mfa_reauthenticate": "302 302 302 302 302 302 302 302 302",
    "mfa_activate_totp": "302 302 302 302 302 302 302 302 302",
    "mfa_deactivate_totp": "302 404 404 404 404 404 404 404 404",
    "mfa_view_recovery_codes": "302 404 404 404 404 404 404 404 404",
    "mfa_generate_recovery_codes": "302 302 302 302 302 302 302 302 302",
    "mfa_download_recovery_codes": "302 404 404 404 404 404 404 404 404",
    "community:dashboard": "302 302 200 200 200 200 200 200 200",
    "community:directory": "302 302 200 200 200 200 200 200 200",
    # a profile page exists for everyone; each field shows only at its visibility level (public/members)
    "community:profile_detail": "200 302 200 200 200 200 200 200 200",
    "community:profile_edit_other": "302 302 200 403 403 403 403 403 200",
    "community:organisation_list": "302 302 200 200 200 200 200 200 200",
    "community:organisation_create": "302 302 200 200 200 200 200 200 200",
    "community:organisation_detail": "302 302 200 200 200 200 200 200 200",
    # its managers only: staff and the members naming it as their organisation (none in the world)
    "community:organisation_edit": "302 302 403 403 403 403 403 403 200",
    # adding and removing co-managers: POST only (its managers and staff; others 403, see POST_MATRIX)
    "community:organisation_manager_add": "302 302 405 405 405 405 405 405 405",
    "community:organisation_manager_remove": "302 302 405 405 405 405 405 405 405",
    "community:pending_members": "302 302 403 403 403 403 403 403 200",
    "community:pending_member_decide": "302 302 403 403 403 403 403 403 405",
    "community:invitations": "302 302 403 403 403 403 403 403 200",
    "community:invitation_accept": "302 302 302 302 302 302 302 302 302",
    "community:profile_edit": "302 302 200 200 200 200 200 200 200",
    "community:notifications": "302 302 200 200 200 200 200 200 200",
    "community:notification_read": "302 302 405 405 405 405 405 405 405",
    "community:notification_read_all": "302 302 405 405 405 405 405 405 405",
    "community:notification_preferences": "302 302 200 200 200 200 200 200 200",
    "community:push_subscribe": "302 302 405 405 405 405 405 405 405",  # POST only (JSON)
    "community:push_unsubscribe": "302 302 405 405 405 405 405 405 405",
    "community:pending": "302 200 302 302 302 302 302 302 302",
    "community:my_data": "302 200 200 200 200 200 200 200 200",
    "community:my_data_download": "302 405 405 405 405 405 405 405 405",
    "community:my_data_leave_directory": "302 405 405 405 405 405 405 405 405",
    "community:my_data_erase": "302 405 405 405 405 405 405 405 405",
    # private messages: a conversation between "member" and "moderator" is a 404 to everyone else, staff included
    "messaging:inbox": "302 302 200 200 200 200 200 200 200",
    "messaging:conversation_create": "302 302 200 200 200 200 200 200 200",
    "messaging:blocks": "302 302 200 200 200 200 200 200 200",
    "messaging:block_toggle": "302 302 405 405 405 405 405 405 405",
    "messaging:report_decide": "302 302 403 403 403 403 403 403 405",
    "messaging:conversation_detail": "302 302 200 404 200 404 404 404 404",
    "messaging:message_send": "302 302 405 405 405 405 405 405 405",
    "messaging:conversation_read": "302 302 405 405 405 405 405 405 405",
    "messaging:conversation_leave": "302 302 405 405 405 405 405 405 405",
    "messaging:message_report": "302 302 200 404 200 404 404 404 404",
    "messaging:attachment_download": "302 302 200 404 200 404 404 404 404",
    "community:stream": "302 302 200 200 200 200 200 200 200",
    "community:activity_detail": "302 302 200 404 404 404 404 404 404",
    "community:activity_like": "302 302 405 405 405 405 405 405 405",
    "community:activity_comment": "302 302 405 405 405 405 405 405 405",
    "community:activity_comment_delete": "302 302 405 405 405 405 405 405 405",
    "community:follow_member": "302 302 405 405 405 405 405 405 405",
    "community:follow_organisation": "302 302 405 405 405 405 405 405 405",
    "wagtaildocs_serve": "404 302 404 404 404 404 404 404 404",
    "wagtaildocs_authenticate_with_password": "404 302 404 404 404 404 404 404 404",
    # the observatory is public only when staff publish charts; none here, so 404 except for staff
    "observatory:index": "404 302 404 404 404 404 404 404 200",
    "observatory:csv": "404 302 404 404 404 404 404 404 200",
    "wagtailcore_authenticate_with_password": "404 302 404 404 404 404 404 404 404",
    "wagtailcore_login": "200 302 200 200 200 200 200 200 200",
    # the Wagtail home page is public; a pending account is parked on /en-attente/ everywhere
    "wagtail_serve": "200 302 200 200 200 200 200 200 200",
    "groups:group_list": "200 302 200 200 200 200 200 200 200",
    "groups:group_create": "302 302 200 200 200 200 200 200 200",
    "groups:search": "302 302 200 200 200 200 200 200 200",
    "groups:hub_moderation": "302 302 403 403 403 403 403 403 200",
    # the secret group: 404 for outsiders, place manager, reviewer and even staff (secret groups do not exist for non-members)
    "groups:group_detail": "404 302 200 404 200 200 404 404 404",
    "groups:group_detail@open": "302 302 200 200 200 200 200 200 200",
    "groups:group_panels": "302 302 200 404 200 200 404 404 404",
    "groups:group_edit": "302 302 403 404 403 200 404 404 404",
    "groups:join": "302 302 405 405 405 405 405 405 405",
    "groups:leave": "302 302 405 405 405 405 405 405 405",
    "groups:notify_default": "302 302 405 405 405 405 405 405 405",
    "groups:members": "302 302 200 404 200 200 404 404 404",
    "groups:members@open": "302 302 200 200 200 200 200 200 200",
    "groups:member_action": "302 302 405 405 405 405 405 405 405",
    "groups:invite": "302 302 405 405 405 405 405 405 405",
    "groups:requests": "302 302 403 404 403 200 404 404 404",
    "groups:moderation": "302 302 403 404 200 200 404 404 404",
    "groups:moderation@open": "302 302 403 403 200 200 403 403 200",
    "groups:topic_create": "302 302 200 404 200 200 404 404 404",
    "groups:topic_detail": "404 302 200 404 200 200 404 404 404",
    "groups:topic_detail@open": "302 302 200 200 200 200 200 200 200",
    # visitors: a public group and its topics are read by anyone (posting still needs membership:
    # every POST row below stays 302 for anonymous); an open but not public or an on-request
    # group sends them to log in (MembersOnly); a secret group is a 404 (rows above)
    "groups:group_detail@public": "200 302 200 200 200 200 200 200 200",
    "groups:topic_detail@public": "200 302 200 200 200 200 200 200 200",
    "groups:group_detail@request": "302 302 200 200 200 200 200 200 200",
    "groups:topic_detail@request": "302 302 200 200 200 200 200 200 200",
    "groups:post_permalink@public": "302 302 302 302 302 302 302 302 302",
    "groups:post_create": "302 302 405 405 405 405 405 405 405",
    "groups:poll_vote": "302 302 405 405 405 405 405 405 405",
    "groups:poll_close": "302 302 405 405 405 405 405 405 405",
    "groups:topic_first_unread": "302 302 302 404 302 302 404 404 404",
    "groups:topic_level": "302 302 405 405 405 405 405 405 405",
    "groups:topic_moderate": "302 302 405 405 405 405 405 405 405",
    "groups:post_permalink": "404 302 302 404 302 302 404 404 404",
    "groups:post_edit": "302 302 200 404 200 200 404 404 404",
    "groups:post_delete": "302 302 405 405 405 405 405 405 405",
    "groups:post_hide": "302 302 405 405 405 405 405 405 405",
    "groups:post_react": "302 302 405 405 405 405 405 405 405",
    "groups:post_report": "302 302 200 404 200 200 404 404 404",
    "groups:post_history": "302 302 403 404 200 200 404 404 404",
    "groups:attachment_download": "302 302 200 404 200 200 404 404 404",
    "groups:attachment_download@open": "302 302 200 200 200 200 200 200 200",
    # follow-up actions: the action lives in the secret group, owned by "member"; only who sees
    # the group sees it (404 otherwise, staff included); moderators see but may not change (403)
    "actions:mine": "302 302 200 200 200 200 200 200 200",
    "actions:board": "302 302 200 404 200 200 404 404 404",
    "actions:create": "302 302 200 404 200 200 404 404 404",
    "actions:detail": "302 302 200 404 200 200 404 404 404",
    "actions:edit": "302 302 200 404 403 200 404 404 404",
    "actions:status": "302 302 405 405 405 405 405 405 405",
    "actions:comment": "302 302 405 405 405 405 405 405 405",
    # date polls: one for the secret group, organised by its admin; the guest link is the credential
    "events:datepoll_list": "302 302 200 200 200 200 200 200 200",
    "events:datepoll_create": "302 302 200 200 200 200 200 200 200",
    "events:datepoll_guest": "200 302 200 200 200 200 200 200 200",
    "events:datepoll_detail": "302 302 200 404 200 200 404 404 404",
    "events:datepoll_answer": "302 302 405 405 405 405 405 405 405",
    "events:datepoll_close": "302 302 405 405 405 405 405 405 405",
    "events:datepoll_to_event": "302 302 405 405 405 405 405 405 405",
    "events:datepoll_invite": "302 302 405 405 405 405 405 405 405",
    "events:agenda": "200 302 200 200 200 200 200 200 200",
    "events:past": "200 302 200 200 200 200 200 200 200",
    "events:public_ics": "200 302 200 200 200 200 200 200 200",
    "events:group_ics": "404 302 200 404 200 200 404 404 404",
    "events:my_events": "302 302 200 200 200 200 200 200 200",
    # private calendar feeds: the token is the credential (calendar apps cannot log in)
    "events:my_ics": "200 302 200 200 200 200 200 200 200",
    "events:event_create": "302 302 200 200 200 200 200 200 200",  # members propose events (issue 13)
    "events:review_queue": "302 302 403 403 403 403 403 403 200",
    # the secret group's agenda rule: its admins only (staff outside the group do not see it)
    "events:group_agenda_settings": "302 302 403 404 403 200 404 404 404",
    "events:event_review": "405 302 405 405 405 405 405 405 405",
    "events:registration_confirm_token": "200 302 200 200 200 200 200 200 200",
    "events:registration_cancel_token": "200 302 200 200 200 200 200 200 200",
    "events:event_detail": "302 302 200 200 200 200 200 200 200",  # members only: a visitor is sent to log in
    "events:event_detail@group": "404 302 200 404 200 200 404 404 404",  # a secret group's event: staff outside it too
    # minutes of the secret group's event, in their amendment round: its admin and the secretary
    # ("member") write; "moderator", a member of the group, takes part (reads, amends, not writes)
    "events:minutes_detail": "404 302 200 404 200 200 404 404 404",
    "events:minutes_edit": "302 302 200 404 403 200 404 404 404",
    "events:minutes_revisions": "404 302 200 404 200 200 404 404 404",
    "events:minutes_revision": "404 302 200 404 200 200 404 404 404",
    "events:minutes_round_open": "302 302 405 405 405 405 405 405 405",
    "events:minutes_round_close": "302 302 405 405 405 405 405 405 405",
    "events:amendment_create": "302 302 405 405 405 405 405 405 405",
    "events:minutes_nothing_to_report": "302 302 405 405 405 405 405 405 405",
    "events:amendment_decide": "302 302 405 405 405 405 405 405 405",
    "events:minutes_publish": "302 302 405 405 405 405 405 405 405",
    "events:minutes_print": "404 302 200 404 200 200 404 404 404",
    "events:minutes_pdf": "404 302 200 404 200 200 404 404 404",
    "events:event_ics": "302 302 200 200 200 200 200 200 200",
    "events:event_edit": "302 302 403 403 403 403 403 403 200",
    "events:event_cancel": "405 302 405 405 405 405 405 405 405",
    "events:questions": "302 302 403 403 403 403 403 403 200",
    "events:question_delete": "405 302 405 405 405 405 405 405 405",
    "events:signup": "302 302 302 302 302 302 302 302 302",  # GET shows the event
    "events:unregister": "302 302 200 404 404 404 404 404 404",  # GET asks for confirmation
    "events:offer_accept": "405 302 405 405 405 405 405 405 405",
    "events:intention_set": "405 302 405 405 405 405 405 405 405",
    "events:attendance_shown": "405 302 405 405 405 405 405 405 405",
    "events:registrations": "302 302 403 403 403 403 403 403 200",
    "events:registration_add": "405 302 405 405 405 405 405 405 405",
    "events:check_in_code": "405 302 405 405 405 405 405 405 405",
    "events:registration_action": "405 302 405 405 405 405 405 405 405",
    "events:export_csv": "302 302 403 403 403 403 403 403 200",
    "events:export_xlsx": "302 302 403 403 403 403 403 403 200",
    "events:qr_code": "302 302 200 404 404 404 404 404 200",
    "events:certificate": "302 302 404 404 404 404 404 404 404",
    "events:certificate_pdf": "302 302 404 404 404 404 404 404 404",
    "events:proposals": "302 302 403 403 403 403 403 403 200",
    "events:proposal_create": "405 302 405 405 405 405 405 405 405",
    "events:proposal_decide": "405 302 405 405 405 405 405 405 405",
    "events:breakout_create": "405 302 405 405 405 405 405 405 405",
    "events:session": "302 302 200 403 403 403 403 403 200",
    "events:session_timer": "405 302 405 405 405 405 405 405 405",
    "events:breakout_choose": "405 302 405 405 405 405 405 405 405",
    "events:note_create": "405 302 405 405 405 405 405 405 405",
    "events:restitution_publish": "405 302 405 405 405 405 405 405 405",
    "funding:call_list": "302 302 200 200 200 200 200 200 200",
    "funding:call_export_csv": "302 302 200 200 200 200 200 200 200",
    "funding:call_export_xlsx": "302 302 200 200 200 200 200 200 200",
    "funding:call_create": "302 302 403 403 403 403 403 403 200",
    "funding:review_queue": "302 302 403 403 403 403 403 403 200",
    "funding:call_report": "302 302 200 200 200 200 200 200 200",
    "funding:my_reports": "302 302 200 200 200 200 200 200 200",
    "funding:call_merge": "302 302 403 403 403 403 403 403 405",
    "funding:consortium_create": "302 302 200 200 200 200 200 200 200",
    "funding:consortium_list": "302 302 200 200 200 200 200 200 200",
    "funding:matching_opt_out": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_hub": "302 302 403 403 403 403 403 403 200",
    "funding:consortium_hub_csv": "302 302 403 403 403 403 403 403 200",
    # a private consortium: a 404 to every non-member, staff included (like a secret group)
    "funding:consortium_detail": "302 302 200 404 404 404 404 404 404",
    "funding:support_queue": "302 302 403 403 403 403 403 403 200",
    "funding:support_detail": "302 302 403 403 403 403 403 403 200",
    "funding:my_support_requests": "302 302 200 200 200 200 200 200 200",
    "funding:consortium_join": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_invite": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_member_decide": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_invitation": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_leave": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_settings": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_file": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_application": "302 302 405 405 405 405 405 405 405",
    "funding:consortium_support": "302 302 405 405 405 405 405 405 405",
    "funding:csv_import": "302 302 403 403 403 403 403 403 200",
    "funding:source_list": "302 302 403 403 403 403 403 403 200",
    "funding:source_create": "302 302 403 403 403 403 403 403 200",
    "funding:source_edit": "302 302 403 403 403 403 403 403 200",
    "funding:source_poll": "302 302 403 403 403 403 403 403 405",
    "funding:watch_list": "302 302 200 200 200 200 200 200 200",
    "funding:watch_create": "302 302 405 405 405 405 405 405 405",
    "funding:watch_detail": "302 302 200 404 404 404 404 404 404",
    "funding:watch_delete": "302 302 405 405 405 405 405 405 405",
    "funding:watch_resend": "302 302 405 405 405 405 405 405 405",
    "funding:watch_confirm": "404 302 404 404 404 404 404 404 404",
    "funding:watch_unsubscribe": "404 302 404 404 404 404 404 404 404",
    "funding:deadlines": "302 302 200 200 200 200 200 200 200",
    "funding:deadlines_reset": "302 302 405 405 405 405 405 405 405",
    "funding:calendar_feed": "200 302 200 200 200 200 200 200 200",
    "funding:call_detail": "302 302 200 200 200 200 200 200 200",
    "funding:call_edit": "302 302 403 403 403 403 403 403 200",
    "funding:call_state": "302 302 403 403 403 403 403 403 405",
    "funding:call_interest": "302 302 405 405 405 405 405 405 405",
    "funding:partner_search_create": "302 302 405 405 405 405 405 405 405",
    "funding:partner_search_close": "302 302 405 405 405 405 405 405 405",
    "funding:call_share": "302 302 405 405 405 405 405 405 405",
    "funding:call_support": "302 302 405 405 405 405 405 405 405",
    "places:place_list": "200 302 200 200 200 200 200 200 200",
    "places:place_map_data": "200 302 200 200 200 200 200 200 200",
    "places:place_create": "302 302 200 200 200 200 200 200 200",
    "places:my_places": "302 302 200 200 200 200 200 200 200",
    "places:moderation": "302 302 403 403 403 403 403 403 200",
    "places:open_data": "200 302 200 200 200 200 200 200 200",
    "places:export_csv": "200 302 200 200 200 200 200 200 200",
    "places:export_json": "200 302 200 200 200 200 200 200 200",
    "places:export_geojson": "200 302 200 200 200 200 200 200 200",
    "places:import": "302 302 403 403 403 403 403 403 200",
    "places:place_detail": "200 302 200 200 200 200 200 200 200",
    "places:place_detail@hidden": "404 302 200 404 404 404 404 404 200",
    "places:place_edit": "302 302 403 403 403 403 200 403 200",
    "places:place_moderate": "405 302 405 405 405 405 405 405 405",
    "places:place_offer": "302 302 403 403 403 403 200 403 200",
    "places:place_offer_confirm": "405 302 405 405 405 405 405 405 405",
    "places:export_freshness": "200 302 200 200 200 200 200 200 200",
    # a referral sent by "member" to the place "place_manager" manages: nobody else reads it, staff neither
    "orientation:referral_list": "302 302 200 200 200 200 200 200 200",
    "orientation:referral_create": "302 302 200 200 200 200 200 200 200",
    "orientation:referral_detail": "302 302 200 404 404 404 200 404 404",
    "orientation:referral_answer": "405 302 405 405 405 405 405 405 405",
    # an item lent by the structure of "place_manager", booked by "member": the booking is theirs (and staff's) only
    "sharing:item_list": "302 302 200 200 200 200 200 200 200",
    "sharing:item_create": "302 302 302 302 302 302 200 302 200",
    "sharing:item_detail": "302 302 200 200 200 200 200 200 200",
    "sharing:item_edit": "302 302 403 403 403 403 200 403 200",
    "sharing:item_photos": "302 302 403 403 403 403 200 403 200",
    "sharing:photo_edit": "405 302 405 405 405 405 405 405 405",
    "sharing:photo_move": "405 302 405 405 405 405 405 405 405",
    "sharing:photo_delete": "405 302 405 405 405 405 405 405 405",
    "sharing:booking_create": "302 302 200 200 200 200 200 200 200",
    "sharing:my_bookings": "302 302 200 200 200 200 200 200 200",
    "sharing:booking_detail": "302 302 200 404 404 404 200 404 200",
    "sharing:booking_action": "405 302 405 405 405 405 405 405 405",
    "sharing:my_ics": "200 302 200 200 200 200 200 200 200",
    "places:place_managers": "302 302 403 403 403 403 200 403 200",
    "places:place_manager_remove": "405 302 405 405 405 405 405 405 405",
    "labels:index": "200 302 200 200 200 200 200 200 200",
    "labels:verify": "200 302 200 200 200 200 200 200 200",
    "labels:ob_issuer": "200 302 200 200 200 200 200 200 200",
    "labels:badge_class_page": "200 302 200 200 200 200 200 200 200",
    "labels:ob_badge_class": "200 302 200 200 200 200 200 200 200",
    "labels:badge_image": "200 302 200 200 200 200 200 200 200",
    "labels:ob_assertion": "200 302 200 200 200 200 200 200 200",
    "labels:assertion_revoke": "302 302 403 403 403 403 403 403 405",
    "labels:my_applications": "302 302 200 200 200 200 200 200 200",
    "labels:application_create": "302 302 405 405 405 405 405 405 405",
    "labels:application_detail": "302 302 404 404 404 404 200 200 200",
    # the applicant is sent back to the application (302) once it is in review; reviewer/staff may see but not edit (403)
    "labels:application_edit": "302 302 404 404 404 404 302 403 403",
    "labels:evidence_upload": "302 302 405 405 405 405 405 405 405",
    "labels:evidence_download": "302 302 404 404 404 404 200 200 200",
    "labels:evidence_delete": "302 302 405 405 405 405 405 405 405",
    "labels:application_submit": "302 302 405 405 405 405 405 405 405",
    "labels:application_abandon": "302 302 405 405 405 405 405 405 405",
    "labels:application_assign": "302 302 403 403 403 403 403 403 200",
    "labels:review_edit": "302 302 404 404 404 404 403 200 403",
    "labels:application_corrections": "302 302 405 405 405 405 405 405 405",
    "labels:application_visit": "302 302 403 403 403 403 403 403 405",
    "labels:application_decide": "302 302 403 403 403 403 403 403 200",
    "labels:label_withdraw": "302 302 403 403 403 403 403 403 405",
    "labels:label_renew": "302 302 405 405 405 405 405 405 405",
    "labels:staff_dashboard": "302 302 403 403 403 403 403 403 200",
    "labels:staff_applications": "302 302 403 403 403 403 403 403 200",
    "labels:committee": "302 302 403 403 403 403 403 403 200",
    "labels:referential_list": "302 302 403 403 403 403 403 403 200",
    "labels:referential_new_version": "302 302 403 403 403 403 403 403 405",
    "labels:referential_detail": "302 302 403 403 403 403 403 403 200",
    "labels:referential_publish": "302 302 403 403 403 403 403 403 405",
    "labels:badge_issue": "302 302 403 403 403 403 403 403 200",
    "content:resource_list": "200 302 200 200 200 200 200 200 200",
    "content:resource_create": "302 302 200 200 200 200 200 200 200",
    "content:my_resources": "302 302 200 200 200 200 200 200 200",
    # group moderators and admins moderate the resources shared with their groups
    "content:moderation": "302 302 403 403 200 200 403 403 200",
    "content:report_resolve": "302 302 405 405 405 405 405 405 405",
    "content:collection_list": "302 302 200 200 200 200 200 200 200",
    "content:collection_detail": "404 302 200 404 404 404 404 404 404",
    "content:collection_delete": "302 302 405 405 405 405 405 405 405",
    "content:collection_remove": "302 302 405 405 405 405 405 405 405",
    "content:resource_detail": "200 302 200 200 200 200 200 200 200",
    "content:resource_download": "200 302 200 200 200 200 200 200 200",
    "content:resource_vote": "302 302 405 405 405 405 405 405 405",
    "content:resource_report": "302 302 200 200 200 200 200 200 200",
    "content:resource_publish": "302 302 405 405 405 405 405 405 405",
    "content:resource_reject": "302 302 405 405 405 405 405 405 405",
    "content:collection_add": "302 302 405 405 405 405 405 405 405",
}

# State-changing routes: a POST by someone who may not act is refused and changes nothing.
# Expected codes for anonymous, pending, outsider (approved member of no group, no role).
# Some posts carry data so that the view reaches its permission check (an empty form is
# otherwise answered with a redirect and a message before any check).
POST_DATA = {
    "events:note_create": {"body": "une note"},
    "events:restitution_publish": {"restitution": "un texte"},
    "groups:post_create": {"body": "réponse"},
    "groups:topic_create": {"title": "t", "body": "b"},
    "messaging:message_send": {"body": "intrus"},
    "messaging:message_report": {"reason": "intrus"},
    "groups:poll_vote": {"options": "1"},
}
POST_ROLES = ["anonymous", "pending", "outsider"]
POST_MATRIX = {
    "events:datepoll_answer": "302 302 404",
    "events:datepoll_close": "302 302 404",
    "events:datepoll_to_event": "302 302 404",
    "events:datepoll_invite": "302 302 404",
    "events:minutes_round_open": "302 302 404",
    "events:minutes_round_close": "302 302 404",
    "events:amendment_create": "302 302 404",
    "events:minutes_nothing_to_report": "302 302 404",
    "events:amendment_decide": "302 302 404",
    "events:minutes_publish": "302 302 404",
    "actions:status": "302 302 404",
    "actions:comment": "302 302 404",
    "actions:create": "302 302 404",
    "community:pending_member_decide": "302 302 403",
    "community:notification_read": "302 302 302",
    "community:notification_read_all": "302 302 302",
    "community:push_subscribe": "302 302 404",  # no VAPID keys in tests: push is not offered
    "community:push_unsubscribe": "302 302 404",  # not one of their devices
    "community:my_data_download": "302 200 200",
    "community:my_data_leave_directory": "302 302 302",
    "community:my_data_erase": "302 400 400",
    "messaging:message_send": "302 302 404",
    "messaging:conversation_read": "302 302 404",
    "messaging:conversation_leave": "302 302 404",
    "messaging:message_report": "302 302 404",
    "messaging:report_decide": "302 302 403",
    "community:activity_like": "302 302 404",
    "community:activity_comment": "302 302 404",
    "community:activity_comment_delete": "302 302 404",
    "community:follow_member": "302 302 302",
    "community:follow_organisation": "302 302 302",
    "groups:join": "302 302 404",
    "groups:leave": "302 302 404",
    "groups:notify_default": "302 302 404",
    "groups:member_action": "302 302 404",
    "groups:invite": "302 302 404",
    "groups:post_create": "302 302 404",
    "groups:topic_level": "302 302 404",
    "groups:topic_moderate": "302 302 404",
    "groups:post_delete": "302 302 404",
    "groups:post_hide": "302 302 404",
    "groups:post_react": "302 302 404",
    "groups:post_report": "302 302 404",
    "groups:group_edit": "302 302 404",
    "groups:topic_create": "302 302 404",
    "groups:post_edit": "302 302 404",
    "groups:poll_vote": "302 302 404",
    "groups:poll_close": "302 302 404",
    "events:event_cancel": "302 302 403",
    "events:event_review": "302 302 403",
    "events:group_agenda_settings": "302 302 404",
    "events:question_delete": "302 302 403",
    "events:signup": "404 302 302",
    "events:unregister": "302 302 302",
    "events:offer_accept": "302 302 404",
    "events:intention_set": "302 302 404",
    "events:attendance_shown": "302 302 404",  # only with an own registration
    "events:registration_add": "302 302 403",
    "events:check_in_code": "302 302 403",
    "events:registration_action": "302 302 403",
    "events:proposal_create": "302 302 302",
    "events:proposal_decide": "302 302 403",
    "events:breakout_create": "302 302 403",
    "events:breakout_choose": "302 302 403",
    "events:session_timer": "302 302 403",
    "events:note_create": "302 302 403",
    "events:restitution_publish": "302 302 403",
    "events:event_edit": "302 302 403",
    "events:questions": "302 302 403",
    "funding:source_poll": "302 302 403",
    "funding:watch_create": "302 302 302",
    "funding:watch_delete": "302 302 404",
    "funding:watch_resend": "302 302 404",
    "funding:deadlines_reset": "302 302 302",
    "funding:call_state": "302 302 403",
    "funding:call_merge": "302 302 403",
    "funding:matching_opt_out": "302 302 302",
    "funding:consortium_join": "302 302 404",
    "funding:consortium_invite": "302 302 404",
    "funding:consortium_member_decide": "302 302 404",
    "funding:consortium_invitation": "302 302 404",
    "funding:consortium_leave": "302 302 404",
    "funding:consortium_settings": "302 302 404",
    "funding:consortium_file": "302 302 404",
    "funding:consortium_application": "302 302 404",
    "funding:consortium_support": "302 302 404",
    "funding:call_interest": "302 302 302",
    "funding:partner_search_create": "302 302 400",
    "funding:partner_search_close": "302 302 403",
    "funding:call_share": "302 302 400",
    "funding:call_support": "302 302 400",
    "funding:call_edit": "302 302 403",
    "funding:call_create": "302 302 403",
    "places:place_moderate": "302 302 403",
    "places:place_edit": "302 302 403",
    "places:place_offer": "302 302 403",
    "places:place_offer_confirm": "302 302 403",
    "orientation:referral_answer": "302 302 404",
    "orientation:referral_create": "302 302 200",
    "sharing:booking_action": "302 302 404",
    "sharing:booking_create": "302 302 200",
    "sharing:item_edit": "302 302 403",
    "sharing:item_create": "302 302 302",
    "sharing:item_photos": "302 302 403",
    "sharing:photo_edit": "302 302 403",
    "sharing:photo_move": "302 302 403",
    "sharing:photo_delete": "302 302 403",
    "places:place_managers": "302 302 403",
    "places:place_manager_remove": "302 302 403",
    "places:import": "302 302 403",
    "labels:assertion_revoke": "302 302 403",
    "labels:application_create": "302 302 404",
    "labels:evidence_upload": "302 302 404",
    "labels:evidence_delete": "302 302 404",
    "labels:application_submit": "302 302 404",
    "labels:application_abandon": "302 302 404",
    "labels:application_assign": "302 302 403",
    "labels:review_edit": "302 302 404",
    "labels:application_corrections": "302 302 404",
    "labels:application_visit": "302 302 403",
    "labels:application_decide": "302 302 403",
    "labels:label_withdraw": "302 302 403",
    "labels:label_renew": "302 302 404",
    "labels:referential_new_version": "302 302 403",
    "labels:referential_publish": "302 302 403",
    "labels:badge_issue": "302 302 403",
    "labels:application_edit": "302 302 404",
    "content:report_resolve": "302 302 404",
    "content:collection_delete": "302 302 404",
    "content:collection_remove": "302 302 404",
    "content:resource_vote": "302 302 302",
    "content:resource_publish": "302 302 403",
    "content:resource_reject": "302 302 403",
    "content:collection_add": "302 302 302",
    "content:resource_report": "302 302 200",
    "community:profile_edit_other": "302 302 403",
    "community:organisation_edit": "302 302 403",
    "community:organisation_manager_add": "302 302 403",
    "community:organisation_manager_remove": "302 302 403",
}


def _route_names():
    """(route, name) of every pattern, excluding the documented prefixes."""
    for route, name in all_patterns():
        if route.startswith(tuple(EXCLUDED_PREFIXES)):
            continue
        yield route, name


def test_every_route_is_in_the_matrix():
    missing = [f"{route} ({name or 'no name'})" for route, name in _route_names() if name not in GET_MATRIX]
    assert not missing, "routes without a row in GET_MATRIX:\n" + "\n".join(missing)
    unknown = [name for name in GET_MATRIX if name.split("@")[0] not in {n for _, n in _route_names()}]
    assert not unknown, f"rows for routes that no longer exist: {unknown}"
    for name, row in {**GET_MATRIX, **POST_MATRIX}.items():
        assert name in BUILDERS, f"no URL builder for {name}"
        assert re.fullmatch(r"(\d{3} ?)+", row), name


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def clients(world):
    result = {}
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role], backend="community.backends.ModelBackend")
        result[role] = client
    return result


@pytest.mark.django_db
def test_get_matrix(world, clients):
    wrong = []
    for name, row in GET_MATRIX.items():
        url = BUILDERS[name](world)
        expected = row.split()
        assert len(expected) == len(ROLES), name
        got = [str(clients[role].get(url).status_code) for role in ROLES]
        if got != expected:
            diff = ", ".join(f"{role}: {e}→{g}" for role, e, g in zip(ROLES, expected, got, strict=True) if e != g)
            wrong.append(f"{name} {url}: {diff}")
    assert not wrong, "unexpected statuses (expected→got):\n" + "\n".join(wrong)


@pytest.mark.django_db
def test_post_matrix_refuses_outsiders(world, clients):
    wrong = []
    for name, row in POST_MATRIX.items():
        url = BUILDERS[name](world)
        expected = row.split()
        got = [str(clients[role].post(url, POST_DATA.get(name, {})).status_code) for role in POST_ROLES]
        if got != expected:
            diff = ", ".join(f"{role}: {e}→{g}" for role, e, g in zip(POST_ROLES, expected, got, strict=True) if e != g)
            wrong.append(f"{name} {url}: {diff}")
    assert not wrong, "unexpected statuses on POST (expected→got):\n" + "\n".join(wrong)
    # nothing changed in the secret group
    from groups.models import Membership, Post

    secret = world.secret_group
    assert not Membership.objects.filter(group=secret, user=world.users["outsider"]).exists()
    assert Post.objects.filter(topic=world.secret_topic, body="réponse").count() == 0


@pytest.mark.django_db
def test_secret_group_search_hits_are_hidden_from_outsiders(world, clients):
    url = BUILDERS["groups:search"](world)
    outsider_page = clients["outsider"].get(url).content.decode()
    member_page = clients["member"].get(url).content.decode()
    assert "Réponse secret cerise" in member_page and "Réponse open cerise" in member_page
    assert "Réponse open cerise" in outsider_page
    assert "secret cerise" not in outsider_page and world.secret_group.slug not in outsider_page
    staff_page = clients["staff"].get(url + f"&groupe={world.secret_group.slug}").content.decode()
    assert "secret cerise" not in staff_page
    # the group list and the directory of groups never name it for outsiders either
    assert world.secret_group.name not in clients["outsider"].get("/groupes/").content.decode()
    assert world.secret_group.name not in clients["anonymous"].get("/", follow=True).content.decode()


@pytest.mark.django_db
def test_objects_of_one_parent_are_not_reachable_through_another(world, clients):
    """IDOR: a secret group's topic, post or attachment reached through the open group's slug, an
    evidence through another application, a registration through another event, someone else's
    watch, notification, collection or partner search — all refused, and nothing changes."""
    w, o = world, world.open_group.slug
    outsider, group_admin = clients["outsider"], clients["group_admin"]
    gets = [
        (outsider, f"/groupes/{o}/sujets/{w.secret_topic.pk}/", 404),
        (outsider, f"/groupes/{o}/messages/{w.secret_post.pk}/", 404),
        (outsider, f"/groupes/{o}/pieces-jointes/{w.secret_attachment.pk}/", 404),
        (outsider, f"/groupes/{o}/messages/{w.secret_post.pk}/historique/", 404),
        (outsider, f"/groupes/{o}/messages/{w.secret_post.pk}/modifier/", 404),
        (outsider, f"/groupes/{o}/sujets/{w.secret_topic.pk}/non-lu/", 404),
        (outsider, f"/financements/alertes/{w.watch.pk}/", 404),
        (outsider, f"/agenda/{w.event.slug}/code/{w.registration.code}.svg", 404),
        (clients["place_manager"], f"/label/candidatures/{w.label.application_id}/pieces/{w.evidence.pk}/", 404),
        (clients["reviewer"], f"/label/candidatures/{w.label.application_id}/pieces/{w.evidence.pk}/", 404),
    ]
    posts = [
        (outsider, f"/groupes/{o}/sujets/{w.secret_topic.pk}/repondre/", {"body": "intrus"}, 404),
        (outsider, f"/groupes/{o}/messages/{w.secret_post.pk}/reagir/", {"kind": "like"}, 404),
        (outsider, f"/groupes/{o}/messages/{w.secret_post.pk}/signaler/", {"reason": "x"}, 404),
        (outsider, f"/groupes/{o}/messages/{w.open_post.pk}/modifier/", {"body": "modifié par un autre"}, 403),
        (outsider, f"/groupes/{o}/messages/{w.open_post.pk}/supprimer/", {}, 403),
        (outsider, f"/financements/appel/{w.call.slug}/partenaires/{w.partner_search.pk}/clore/", {}, 403),
        (outsider, f"/ressources/collections/{w.collection.slug}/retirer/{w.resource.slug}/", {}, 404),
        (group_admin, f"/agenda/{w.group_event.slug}/inscrits/{w.registration.pk}/annuler/", {}, 404),
        (group_admin, f"/agenda/{w.group_event.slug}/propositions/{w.proposal.pk}/decision/", {"accept": "1"}, 404),
        (group_admin, f"/agenda/{w.group_event.slug}/formulaire/{w.question.pk}/supprimer/", {}, 404),
    ]
    wrong = [f"GET {url}: {got} instead of {code}" for c, url, code in gets if (got := c.get(url).status_code) != code]
    wrong += [f"POST {url}: {got} instead of {code}" for c, url, data, code in posts if (got := c.post(url, data).status_code) != code]
    assert not wrong, "\n".join(wrong)
    from events.models import Question, Registration
    from groups.models import Post

    assert list(Post.objects.filter(topic=w.secret_topic).values_list("body", flat=True)) == [
        "Premier message cerise",
        "Réponse secret cerise",
    ]
    post = Post.objects.get(pk=w.open_post.pk)
    assert post.body == "Réponse open cerise" and not post.is_deleted
    assert Registration.objects.get(pk=w.registration.pk).status == "confirmed"
    assert Question.objects.filter(pk=w.question.pk).exists()
    # someone else's notification: answered like one's own (a redirect) but left unread
    outsider.post(f"/mes-notifications/{w.notification.pk}/lue/")
    assert w.users["member"].notifications.get(pk=w.notification.pk).unread
