"""Inventory calls for people and work: api.user, api.team, api.workspace, api.labeling_job, api.task.

Each call makes its own users (unique logins), teams, workspaces, projects and jobs, so the seed
stays as other calls read it; it only reads the seed's team, workspace, project meta and images.
"""

from __future__ import annotations

import numpy as np
import supervisely as sly

from annobridge_sandbox_supervisely import control

from .inventory_support import World, call

ANNOTATOR, DEVELOPER, VIEWER = (sly.api.role_api.RoleApi.DefaultRole.ANNOTATOR,
                                sly.api.role_api.RoleApi.DefaultRole.DEVELOPER,
                                sly.api.role_api.RoleApi.DefaultRole.VIEWER)
JobStatus = sly.api.labeling_job_api.LabelingJobApi.Status
TaskStatus = sly.api.task_api.TaskApi.Status


# --- setup shared by the calls ----------------------------------------------------------------------------------

def _user(w: World, restricted: bool = True, team: int | None = None, role: int = ANNOTATOR):
    """A new user (a member of `team` with `role` when given)."""
    user = w.api.user.create(login=w.unique("person"), password="pass1234abc", is_restricted=restricted)
    if team is not None:
        w.api.user.add_to_team(user.id, team, role)
    return user


def _labeler(w: World):
    """A new annotator of the seed's team."""
    return _user(w, team=w.seed["team"])


def _dataset(w: World, images: int = 2):
    """A project of this file's own (the seed's meta) with one dataset of `images` copies of seed images."""
    project = w.api.project.create(w.seed["workspace"], w.unique("people"))
    w.api.project.update_meta(project.id, w.api.project.get_meta(w.seed["project"]))
    dataset = w.api.dataset.create(project.id, "ds")
    seeded = w.api.image.get_list(w.seed["dataset"])[:images]
    uploaded = w.api.image.upload_ids(dataset.id, [f"{k}_{i.name}" for k, i in enumerate(seeded)],
                                      [i.id for i in seeded])
    return project, dataset, uploaded


def _job(w: World, images: int = 2, labeler=None, **options):
    """(job, dataset, images, labeler): one labeling job over a dataset of this file's own."""
    _, dataset, uploaded = _dataset(w, images)
    labeler = labeler or _labeler(w)
    job = w.api.labeling_job.create(name=w.unique("job"), dataset_id=dataset.id, user_ids=[labeler.id], **options)[0]
    return job, dataset, uploaded, labeler


def _reviewed(w: World, statuses: list[str]):
    """A job on review whose images got `statuses` (accepted/rejected/done) in image order."""
    job, dataset, uploaded, labeler = _job(w, images=len(statuses))
    control.start(w.api, job.id)
    control.submit(w.api, job.id)
    for image, status in zip(uploaded, statuses):
        control.review(w.api, job.id, image.id, status)
    return job, uploaded, labeler


def _workspace(w: World):
    """A workspace of this file's own in the seed's team."""
    return w.api.workspace.create(w.seed["team"], w.unique("ws"))


def _task(w: World) -> int:
    """A task the sandbox recorded: the clone of a small project into a workspace of this file's own."""
    workspace = _workspace(w)
    source = w.api.project.create(workspace.id, w.unique("source"))
    return w.api.project.clone(source.id, workspace.id, w.unique("copy"))


def _task_output(w: World, task_id: int):
    from annobridge_sandbox_supervisely.task_data import task_output

    return task_output(w.handle.store, task_id)


# --- api.user ---------------------------------------------------------------------------------------------------

@call("user.create")
def _user_create(w: World) -> None:
    login = w.unique("made")
    with w.sent():
        user = w.api.user.create(login=login, password="pass1234abc", name="Made Here", email="made@example.com")
    assert (user.login, user.name, user.email, user.disabled) == (login, "Made Here", "made@example.com", False)
    assert w.api.user.get_info_by_id(user.id).login == login
    # a full-scope user gets a personal team named after the login
    assert [t.name for t in w.api.user.get_teams(user.id)] == [login]


@call("user.get_info_by_id")
def _user_get_info_by_id(w: World) -> None:
    made = _user(w)
    with w.sent():
        user = w.api.user.get_info_by_id(made.id)
    assert (user.id, user.login, user.disabled) == (made.id, made.login, False)


@call("user.get_info_by_login")
def _user_get_info_by_login(w: World) -> None:
    made = _user(w)
    with w.sent():
        user = w.api.user.get_info_by_login(made.login)
    assert user.id == made.id


@call("user.get_list")
def _user_get_list(w: World) -> None:
    made = [_user(w), _user(w)]
    with w.sent():
        users = w.api.user.get_list()
        only = w.api.user.get_list(filters=[{"field": "login", "operator": "=", "value": made[1].login}])
    logins = {u.login for u in users}
    assert {"admin", made[0].login, made[1].login} <= logins and len(logins) == len(users)
    assert [u.id for u in only] == [made[1].id]


@call("user.get_my_info")
def _user_get_my_info(w: World) -> None:
    with w.sent():
        me = w.api.user.get_my_info()
    assert (me.id, me.login, me.role) == (w.seed["admin"], "admin", "admin")


@call("user.update")
def _user_update(w: World) -> None:
    made = _user(w)
    with w.sent():
        updated = w.api.user.update(made.id, name="Renamed Person")
    assert updated.name == "Renamed Person"
    assert w.api.user.get_info_by_id(made.id).name == "Renamed Person"


@call("user.disable")
def _user_disable(w: World) -> None:
    made = _user(w)
    with w.sent():
        w.api.user.disable(made.id)
    assert w.api.user.get_info_by_id(made.id).disabled is True


@call("user.enable")
def _user_enable(w: World) -> None:
    made = _user(w)
    w.api.user.disable(made.id)
    with w.sent():
        w.api.user.enable(made.id)
    assert w.api.user.get_info_by_id(made.id).disabled is False


@call("user.add_to_team")
def _user_add_to_team(w: World) -> None:
    made = _user(w)
    with w.sent():
        w.api.user.add_to_team(made.id, w.seed["team"], DEVELOPER)
    assert w.api.user.get_team_role(made.id, w.seed["team"]).role == "developer"


@call("user.add_to_team_by_login")
def _user_add_to_team_by_login(w: World) -> None:
    made = _user(w)
    with w.sent():
        answer = w.api.user.add_to_team_by_login(made.login, w.seed["team"], VIEWER)
    assert answer == {"userId": made.id}
    assert w.api.user.get_member_info_by_id(w.seed["team"], made.id).role == "viewer"


@call("user.change_team_role")
def _user_change_team_role(w: World) -> None:
    made = _labeler(w)
    with w.sent():
        w.api.user.change_team_role(made.id, w.seed["team"], VIEWER)
    assert w.api.user.get_team_role(made.id, w.seed["team"]).role == "viewer"


@call("user.remove_from_team")
def _user_remove_from_team(w: World) -> None:
    made = _labeler(w)
    with w.sent():
        w.api.user.remove_from_team(made.id, w.seed["team"])
    assert w.api.user.get_team_role(made.id, w.seed["team"]) is None
    assert made.id not in {u.id for u in w.api.user.get_team_members(w.seed["team"])}


@call("user.get_team_members")
def _user_get_team_members(w: World) -> None:
    team = w.api.team.create(w.unique("crew"))
    made = _user(w, team=team.id, role=DEVELOPER)
    with w.sent():
        members = w.api.user.get_team_members(team.id)
    assert sorted((u.login, u.role) for u in members) == sorted([("admin", "admin"), (made.login, "developer")])


@call("user.get_member_info_by_id")
def _user_get_member_info_by_id(w: World) -> None:
    made = _labeler(w)
    with w.sent():
        member = w.api.user.get_member_info_by_id(w.seed["team"], made.id)
    assert (member.login, member.role) == (made.login, "annotator")


@call("user.get_member_info_by_login")
def _user_get_member_info_by_login(w: World) -> None:
    made, outsider = _labeler(w), _user(w)
    with w.sent():
        member = w.api.user.get_member_info_by_login(w.seed["team"], made.login)
        stranger = w.api.user.get_member_info_by_login(w.seed["team"], outsider.login)
    assert (member.id, member.role) == (made.id, "annotator")
    assert stranger is None


@call("user.get_teams")
def _user_get_teams(w: World) -> None:
    made = _user(w, restricted=False)
    w.api.user.add_to_team(made.id, w.seed["team"], VIEWER)
    with w.sent():
        teams = w.api.user.get_teams(made.id)
    assert [(t.name, t.role) for t in teams] == [(made.login, "admin"), ("Demo Team", "viewer")]


@call("user.get_team_role")
def _user_get_team_role(w: World) -> None:
    made = _labeler(w)
    with w.sent():
        role = w.api.user.get_team_role(made.id, w.seed["team"])
    assert (role.id, role.name, role.role_id, role.role) == (w.seed["team"], "Demo Team", ANNOTATOR, "annotator")


@call("user.get_member_activity")
def _user_get_member_activity(w: World) -> None:
    job, _, uploaded, labeler = _job(w, images=1)
    lemon = sly.ProjectMeta.from_json(w.api.project.get_meta(job.project_id)).get_obj_class("lemon")
    label = sly.Label(sly.Bitmap(np.ones((4, 4), bool), origin=sly.PointLocation(2, 2)), lemon)
    control.annotate(w.api, job.id, uploaded[0].id, sly.Annotation((uploaded[0].height, uploaded[0].width), [label]))
    with w.sent():
        frame = w.api.user.get_member_activity(w.seed["team"], labeler.id)
    assert set(frame["userId"]) == {labeler.id} and set(frame["user"]) == {labeler.login}
    assert list(frame["action"]) == ["create_figure"] and list(frame["jobId"]) == [job.id]


# --- api.team ---------------------------------------------------------------------------------------------------

@call("team.create")
def _team_create(w: World) -> None:
    name = w.unique("team")
    with w.sent():
        team = w.api.team.create(name, description="made by a call")
    assert (team.name, team.description, team.role) == (name, "made by a call", "admin")
    assert w.api.team.get_info_by_id(team.id).name == name


@call("team.get_info_by_id")
def _team_get_info_by_id(w: World) -> None:
    with w.sent():
        team = w.api.team.get_info_by_id(w.seed["team"])
    assert (team.id, team.name, team.role) == (w.seed["team"], "Demo Team", "admin")
    assert w.api.team.get_info_by_id(10**9) is None


@call("team.get_list")
def _team_get_list(w: World) -> None:
    made = w.api.team.create(w.unique("team"))
    with w.sent():
        teams = w.api.team.get_list()
    ids = [t.id for t in teams]
    assert {w.seed["team"], made.id} <= set(ids) and len(set(ids)) == len(ids)


@call("team.get_info_by_name", "team.exists", "team.get_free_name")
def _team_by_name(w: World) -> None:
    made = w.api.team.create(w.unique("team"))
    with w.sent():
        found, there = w.api.team.get_info_by_name(made.name), w.api.team.exists(made.name)
        missing, free = w.api.team.get_info_by_name(made.name + "-none"), w.api.team.get_free_name(made.name)
    assert (found.id, there, missing) == (made.id, True, None)
    assert free != made.name and free.startswith(made.name) and not w.api.team.exists(free)


@call("team.update")
def _team_update(w: World) -> None:
    made = w.api.team.create(w.unique("team"))
    new_name = w.unique("renamed")
    with w.sent():
        updated = w.api.team.update(made.id, name=new_name, description="new words")
    assert (updated.name, updated.description) == (new_name, "new words")
    assert w.api.team.get_info_by_id(made.id).name == new_name


@call("team.get_activity")
def _team_get_activity(w: World) -> None:
    project, _, uploaded = _dataset(w, images=2)
    with w.sent():
        events = w.api.team.get_activity(w.seed["team"], filter_project_id=project.id,
                                         filter_actions=["create_image"])
    assert sorted(e["imageId"] for e in events) == sorted(i.id for i in uploaded)
    assert {e["project"] for e in events} == {project.name}


@call("team.archive")
def _team_archive(w: World) -> None:
    made = w.api.team.create(w.unique("team"))
    with w.sent():
        w.api.team.archive(made.id)
    assert made.id not in {t.id for t in w.api.team.get_list()}
    assert w.api.team.get_info_by_id(made.id).name == made.name  # archived, not gone


@call("team.remove_permanently")
def _team_remove_permanently(w: World) -> None:
    teams = [w.api.team.create(w.unique("team")) for _ in range(2)]
    workspace = w.api.workspace.create(teams[0].id, "held")
    for team in teams:
        w.api.team.archive(team.id)
    with w.sent():
        answers = w.api.team.remove_permanently([t.id for t in teams])
    assert answers == [{"success": True}]
    assert [w.api.team.get_info_by_id(t.id) for t in teams] == [None, None]
    assert w.api.workspace.get_info_by_id(workspace.id) is None  # what the team held went with it


# --- api.workspace ----------------------------------------------------------------------------------------------

@call("workspace.create")
def _workspace_create(w: World) -> None:
    from annobridge_sandbox_supervisely.workspaces import is_hidden

    name = w.unique("ws")
    with w.sent():
        shown = w.api.workspace.create(w.seed["team"], name, description="plain")
        again = w.api.workspace.create(w.seed["team"], name, change_name_if_conflict=True, hidden=True)
    assert (shown.name, shown.description, shown.team_id) == (name, "plain", w.seed["team"])
    assert again.name != name and again.name.startswith(name)
    assert (is_hidden(w.handle.store, shown.id), is_hidden(w.handle.store, again.id)) == (False, True)


@call("workspace.get_info_by_id")
def _workspace_get_info_by_id(w: World) -> None:
    with w.sent():
        workspace = w.api.workspace.get_info_by_id(w.seed["workspace"])
    assert (workspace.name, workspace.team_id) == ("Testing Workspace", w.seed["team"])
    assert w.api.workspace.get_info_by_id(10**9) is None


@call("workspace.get_info_by_name")
def _workspace_get_info_by_name(w: World) -> None:
    made = _workspace(w)
    with w.sent():
        found = w.api.workspace.get_info_by_name(w.seed["team"], made.name)
    assert found.id == made.id


@call("workspace.get_list")
def _workspace_get_list(w: World) -> None:
    made = _workspace(w)
    with w.sent():
        workspaces = w.api.workspace.get_list(w.seed["team"])
        only = w.api.workspace.get_list(w.seed["team"], filters=[{"field": "name", "operator": "=",
                                                                   "value": made.name}])
    assert {w.seed["workspace"], made.id} <= {x.id for x in workspaces}
    assert [x.id for x in only] == [made.id]


@call("workspace.exists")
def _workspace_exists(w: World) -> None:
    made = _workspace(w)
    with w.sent():
        found, missing = w.api.workspace.exists(w.seed["team"], made.name), w.api.workspace.exists(
            w.seed["team"], w.unique("nowhere"))
    assert (found, missing) == (True, False)


@call("workspace.get_free_name")
def _workspace_get_free_name(w: World) -> None:
    made = _workspace(w)
    with w.sent():
        free = w.api.workspace.get_free_name(w.seed["team"], made.name)
    assert free != made.name and free.startswith(made.name)
    assert not w.api.workspace.exists(w.seed["team"], free)


@call("workspace.update")
def _workspace_update(w: World) -> None:
    made = _workspace(w)
    new_name = w.unique("ws-renamed")
    with w.sent():
        updated = w.api.workspace.update(made.id, name=new_name, description="described")
    assert (updated.name, updated.description) == (new_name, "described")
    assert w.api.workspace.get_info_by_id(made.id).name == new_name


@call("workspace.change_visibility")
def _workspace_change_visibility(w: World) -> None:
    from annobridge_sandbox_supervisely.workspaces import is_hidden

    made = _workspace(w)
    with w.sent():
        w.api.workspace.change_visibility(made.id, False)
    assert is_hidden(w.handle.store, made.id)
    assert made.id in {x.id for x in w.api.workspace.get_list(w.seed["team"])}  # the API still lists it
    w.api.workspace.change_visibility(made.id, True)
    assert not is_hidden(w.handle.store, made.id)


@call("workspace.archive")
def _workspace_archive(w: World) -> None:
    made = _workspace(w)
    with w.sent():
        w.api.workspace.archive(made.id)
    assert made.id not in {x.id for x in w.api.workspace.get_list(w.seed["team"])}
    assert w.api.workspace.get_info_by_id(made.id).name == made.name  # archived, not gone


@call("workspace.remove_permanently")
def _workspace_remove_permanently(w: World) -> None:
    made = _workspace(w)
    project = w.api.project.create(made.id, "held")
    w.api.workspace.archive(made.id)
    with w.sent():
        answers = w.api.workspace.remove_permanently(made.id)
    assert answers == [{"success": True}]
    assert w.api.workspace.get_info_by_id(made.id) is None
    assert w.api.project.get_info_by_id(project.id) is None


# --- api.labeling_job -------------------------------------------------------------------------------------------

@call("labeling_job.create")
def _job_create(w: World) -> None:
    _, dataset, uploaded = _dataset(w, images=3)
    labelers = [_labeler(w), _labeler(w)]
    with w.sent():
        jobs = w.api.labeling_job.create(name="split", dataset_id=dataset.id, user_ids=[u.id for u in labelers],
                                         classes_to_label=["lemon"], readme="read me")
    assert [j.name for j in jobs] == ["split (#1)", "split (#2)"]
    assert [j.assigned_to_id for j in jobs] == [u.id for u in labelers]
    assert [j.images_count for j in jobs] == [2, 1] and {j.classes_to_label[0] for j in jobs} == {"lemon"}
    held = sorted(e["id"] for j in jobs for e in j.entities)
    assert held == sorted(i.id for i in uploaded) and {j.readme for j in jobs} == {"read me"}


@call("labeling_job.get_info_by_id")
def _job_get_info_by_id(w: World) -> None:
    job, dataset, uploaded, labeler = _job(w)
    with w.sent():
        info = w.api.labeling_job.get_info_by_id(job.id)
    assert (info.name, info.dataset_id, info.assigned_to_login, info.status) == (
        job.name, dataset.id, labeler.login, "pending")
    assert sorted(e["id"] for e in info.entities) == sorted(i.id for i in uploaded)


@call("labeling_job.get_info_by_ids")
def _job_get_info_by_ids(w: World) -> None:
    first, second = _job(w)[0], _job(w)[0]
    with w.sent():
        infos = w.api.labeling_job.get_info_by_ids([second.id, first.id])
    assert [(i.id, i.name) for i in infos] == [(second.id, second.name), (first.id, first.name)]


@call("labeling_job.get_list")
def _job_get_list(w: World) -> None:
    job, dataset, _, labeler = _job(w)
    archived = w.api.labeling_job.create(name="old", dataset_id=dataset.id, user_ids=[labeler.id])[0]
    w.api.labeling_job.archive(archived.id)
    with w.sent():
        shown = w.api.labeling_job.get_list(w.seed["team"], dataset_id=dataset.id)
        everything = w.api.labeling_job.get_list(w.seed["team"], dataset_id=dataset.id, show_disabled=True)
        by_labeler = w.api.labeling_job.get_list(w.seed["team"], assigned_to_id=labeler.id)
    assert [j.id for j in shown] == [job.id]
    assert sorted(j.id for j in everything) == sorted([job.id, archived.id])
    assert [j.id for j in by_labeler] == [job.id]


# SDK 6.74.51's name look-ups for jobs (ModuleApi.get_info_by_name -> get_list(team_id, filters)) pass the name
# filter as LabelingJobApi.get_list's second parameter, created_by_id: jobs.list is asked for the jobs whose
# creator equals that filter list, and no job has such a creator. The sandbox answers that question truly.

def _jobs_created_by_filter_list(w: World, name: str) -> list:
    by_name = [{"field": "name", "operator": "=", "value": name}]
    return w.api.labeling_job.get_list(w.seed["team"], created_by_id=by_name)


@call("labeling_job.get_info_by_name")
def _job_get_info_by_name(w: World) -> None:
    job = _job(w)[0]
    with w.sent():
        found = w.api.labeling_job.get_info_by_name(w.seed["team"], job.name)
    assert found is None and _jobs_created_by_filter_list(w, job.name) == []
    assert [j.id for j in w.api.labeling_job.get_list(w.seed["team"], created_by_id=w.seed["admin"])
            if j.name == job.name] == [job.id]  # the job is there, found by its real creator


@call("labeling_job.exists")
def _job_exists(w: World) -> None:
    job = _job(w)[0]
    with w.sent():
        found = w.api.labeling_job.exists(w.seed["team"], job.name)
    assert found is False and _jobs_created_by_filter_list(w, job.name) == []
    assert job.id in {j.id for j in w.api.labeling_job.get_list(w.seed["team"], created_by_id=w.seed["admin"])}


@call("labeling_job.get_free_name")
def _job_get_free_name(w: World) -> None:
    job = _job(w)[0]
    with w.sent():
        free = w.api.labeling_job.get_free_name(w.seed["team"], job.name)
    assert free == job.name  # nothing matched the creator filter, so the name counts as free


@call("labeling_job.get_status")
def _job_get_status(w: World) -> None:
    job = _job(w)[0]
    control.start(w.api, job.id)
    with w.sent():
        status = w.api.labeling_job.get_status(job.id)
    assert status is JobStatus.IN_PROGRESS


@call("labeling_job.set_status")
def _job_set_status(w: World) -> None:
    job = _job(w)[0]
    with w.sent():
        w.api.labeling_job.set_status(job.id, "completed")
    info = w.api.labeling_job.get_info_by_id(job.id)
    assert info.status == "completed" and info.finished_at is not None


@call("labeling_job.stop")
def _job_stop(w: World) -> None:
    job = _job(w)[0]
    with w.sent():
        w.api.labeling_job.stop(job.id)
    assert w.api.labeling_job.get_status(job.id) is JobStatus.STOPPED


@call("labeling_job.archive")
def _job_archive(w: World) -> None:
    job, dataset, _, _ = _job(w)
    with w.sent():
        w.api.labeling_job.archive(job.id)
    assert w.api.labeling_job.get_list(w.seed["team"], dataset_id=dataset.id) == []
    assert w.api.labeling_job.get_info_by_id(job.id).disabled is True


@call("labeling_job.wait")
def _job_wait(w: World) -> None:
    job = _reviewed(w, ["accepted"])[0]
    control.complete(w.api, job.id)
    with w.sent():
        w.api.labeling_job.wait(job.id, JobStatus.COMPLETED, wait_attempts=1)
    assert w.api.labeling_job.get_status(job.id) is JobStatus.COMPLETED


@call("labeling_job.get_custom_data")
def _job_get_custom_data(w: World) -> None:
    job = _job(w)[0]
    w.api.labeling_job.set_custom_data(job.id, {"batch": 7})
    with w.sent():
        data = w.api.labeling_job.get_custom_data(job.id)
    assert data == {"batch": 7}


@call("labeling_job.set_custom_data")
def _job_set_custom_data(w: World) -> None:
    job = _job(w)[0]
    w.api.labeling_job.set_custom_data(job.id, {"batch": 7})
    with w.sent():
        w.api.labeling_job.set_custom_data(job.id, {"round": 2})  # update=True keeps "batch"
    assert w.api.labeling_job.get_custom_data(job.id) == {"batch": 7, "round": 2}
    w.api.labeling_job.set_custom_data(job.id, {"only": True}, update=False)
    assert w.api.labeling_job.get_custom_data(job.id) == {"only": True}


@call("labeling_job.set_assignees")
def _job_set_assignees(w: World) -> None:
    job = _job(w)[0]
    labeler, reviewer = _labeler(w), _labeler(w)
    with w.sent():
        info = w.api.labeling_job.set_assignees(job.id, annotator_id=labeler.id, reviewer_id=reviewer.id)
    assert (info.assigned_to_id, info.reviewer_id) == (labeler.id, reviewer.id)
    assert w.api.labeling_job.get_info_by_id(job.id).assigned_to_login == labeler.login


@call("labeling_job.set_entity_review_status")
def _job_set_entity_review_status(w: World) -> None:
    job, _, uploaded, _ = _job(w)
    with w.sent():
        w.api.labeling_job.set_entity_review_status(job.id, uploaded[0].id, "accepted")
    statuses = {e["id"]: e["reviewStatus"] for e in w.api.labeling_job.get_info_by_id(job.id).entities}
    assert statuses == {uploaded[0].id: "accepted", uploaded[1].id: "none"}


@call("labeling_job.reject_annotations")
def _job_reject_annotations(w: World) -> None:
    job, uploaded, _ = _reviewed(w, ["accepted", "done"])
    with w.sent():
        w.api.labeling_job.reject_annotations(job.id, mode="unmarked")
    statuses = {e["id"]: e["reviewStatus"] for e in w.api.labeling_job.get_info_by_id(job.id).entities}
    assert statuses == {uploaded[0].id: "accepted", uploaded[1].id: "rejected"}


@call("labeling_job.restart")
def _job_restart(w: World) -> None:
    job, uploaded, labeler = _reviewed(w, ["accepted", "rejected"])
    with w.sent():
        created = w.api.labeling_job.restart(job.id, title="second round")
    assert [(j["name"], j["userId"]) for j in created] == [("second round", labeler.id)]
    again = w.api.labeling_job.get_info_by_id(created[0]["id"])
    assert [e["id"] for e in again.entities] == [uploaded[1].id]
    assert w.api.labeling_job.get_status(job.id) is JobStatus.COMPLETED


@call("labeling_job.clone")
def _job_clone(w: World) -> None:
    job, _, uploaded, labeler = _job(w, images=3)
    other = _labeler(w)
    with w.sent():
        copies = w.api.labeling_job.clone(job.id, new_title="copy", assignee_ids=[other.id])
    assert [(c.name, c.assigned_to_id) for c in copies] == [("copy", other.id)]
    assert sorted(e["id"] for e in copies[0].entities) == sorted(i.id for i in uploaded)
    assert w.api.labeling_job.get_info_by_id(job.id).assigned_to_id == labeler.id  # the original is untouched


@call("labeling_job.remove")
def _job_remove(w: World) -> None:
    job, dataset, _, _ = _job(w)
    with w.sent():
        w.api.labeling_job.remove(job.id)
    assert w.api.labeling_job.get_list(w.seed["team"], dataset_id=dataset.id, show_disabled=True) == []


@call("labeling_job.remove_batch")
def _job_remove_batch(w: World) -> None:
    job, dataset, _, labeler = _job(w)
    kept = w.api.labeling_job.create(name="kept", dataset_id=dataset.id, user_ids=[labeler.id])[0]
    gone = w.api.labeling_job.create(name="gone", dataset_id=dataset.id, user_ids=[labeler.id])[0]
    with w.sent():
        w.api.labeling_job.remove_batch([job.id, gone.id])
    left = w.api.labeling_job.get_list(w.seed["team"], dataset_id=dataset.id, show_disabled=True)
    assert [j.id for j in left] == [kept.id]


@call("labeling_job.get_project_meta")
def _job_get_project_meta(w: World) -> None:
    job = _job(w, classes_to_label=["lemon"], tags_to_label=["origin"])[0]
    with w.sent():
        meta = w.api.labeling_job.get_project_meta(job.id)
    assert [c.name for c in meta.obj_classes] == ["lemon"]  # the project's meta narrowed to the job's
    assert [t.name for t in meta.tag_metas] == ["origin"] and meta.obj_classes.get("lemon").geometry_type is sly.Bitmap


@call("labeling_job.get_annotations")
def _job_get_annotations(w: World) -> None:
    job, _, uploaded, _ = _job(w, classes_to_label=["kiwi", "lemon"])
    meta = w.api.labeling_job.get_project_meta(job.id)
    mask = sly.Bitmap(np.ones((6, 6), bool), origin=sly.PointLocation(3, 4))
    label = sly.Label(mask, meta.get_obj_class("kiwi"))
    control.annotate(w.api, job.id, uploaded[0].id, sly.Annotation((uploaded[0].height, uploaded[0].width), [label]))
    with w.sent():
        annotations = w.api.labeling_job.get_annotations(job.id, image_ids=[i.id for i in uploaded])
    assert [len(a.labels) for a in annotations] == [1, 0]
    got = annotations[0].labels[0]
    assert got.obj_class.name == "kiwi" and got.geometry.area == 36
    assert (got.geometry.origin.row, got.geometry.origin.col) == (3, 4)


@call("labeling_job.get_stats")
def _job_get_stats(w: World) -> None:
    job, uploaded, _ = _reviewed(w, ["accepted", "rejected"])
    with w.sent():
        stats = w.api.labeling_job.get_stats(job.id)
    assert (stats["job"]["id"], stats["job"]["imagesCount"], stats["job"]["finishedImagesCount"]) == (job.id, 2, 2)
    assert {i["id"]: i["reviewStatus"] for i in stats["images"]["images"]} == {
        uploaded[0].id: "accepted", uploaded[1].id: "rejected"}
    assert sorted(c["name"] for c in stats["classes"]) == ["kiwi", "lemon"]


@call("labeling_job.get_activity")
def _job_get_activity(w: World) -> None:
    job, uploaded, labeler = _reviewed(w, ["accepted", "rejected"])
    with w.sent():
        frame = w.api.labeling_job.get_activity(w.seed["team"], job.id)
    assert set(frame["jobId"]) == {job.id}
    reviews = frame[frame["action"] == "image_review_status_updated"]
    final = {row["imageId"]: row["meta"]["reviewStatus"] for _, row in reviews.iloc[::-1].iterrows()}
    assert final == {uploaded[0].id: "accepted", uploaded[1].id: "rejected"}


# --- api.task ---------------------------------------------------------------------------------------------------

@call("task.get_info_by_id")
def _task_get_info_by_id(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        info = w.api.task.get_info_by_id(task_id)
    assert (info["id"], info["type"], info["status"]) == (task_id, "clone", "finished")
    assert w.api.project.get_info_by_id(info["meta"]["output"]["project"]["id"]) is not None


@call("task.get_list")
def _task_get_list(w: World) -> None:
    task_id = _task(w)
    workspace_id = w.api.task.get_info_by_id(task_id)["workspaceId"]
    with w.sent():
        tasks = w.api.task.get_list(workspace_id)
    assert [t["id"] for t in tasks] == [task_id]


@call("task.get_status")
def _task_get_status(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        status = w.api.task.get_status(task_id)
    assert status is TaskStatus.FINISHED


@call("task.wait")
def _task_wait(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.wait(task_id, TaskStatus.FINISHED, wait_attempts=1)
    assert w.api.task.get_status(task_id) is TaskStatus.FINISHED


@call("task.get_context")
def _task_get_context(w: World) -> None:
    task_id = _task(w)
    workspace = w.api.workspace.get_info_by_id(w.api.task.get_info_by_id(task_id)["workspaceId"])
    with w.sent():
        context = w.api.task.get_context(task_id)
    assert context == {"team": {"id": w.seed["team"], "name": "Demo Team"},
                       "workspace": {"id": workspace.id, "name": workspace.name}}


@call("task.update_meta")
def _task_update_meta(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.update_meta(task_id, {"name": "nightly import"})
    meta = w.api.task.get_info_by_id(task_id)["meta"]
    assert meta["name"] == "nightly import" and "output" in meta  # the clone's output is kept


@call("task.update_status")
def _task_update_status(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.update_status(task_id, TaskStatus.STARTED)
    info = w.api.task.get_info_by_id(task_id)
    assert (info["status"], info["finishedAt"]) == ("started", None)


@call("task.stop")
def _task_stop(w: World) -> None:
    task_id = _task(w)
    w.api.task.update_status(task_id, TaskStatus.STARTED)
    with w.sent():
        stopped = w.api.task.stop(task_id)
        ended = w.api.task.stop(task_id)  # a stopped task stays stopped
    assert stopped is TaskStatus.STOPPED and ended is TaskStatus.STOPPED
    assert w.api.task.get_info_by_id(task_id)["finishedAt"] is not None


@call("task.set_field")
def _task_set_field(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_field(task_id, "state.items", {"n": 1}, append=True)
        w.api.task.set_field(task_id, "state.items", {"n": 2}, append=True)
        w.api.task.set_field(task_id, "data.stats", {"a": 1, "b": {"c": 2}})
        w.api.task.set_field(task_id, "data.stats", {"b": {"d": 3}}, recursive=True)
    assert w.api.task.get_fields(task_id, ["state.items", "data.stats"]) == {
        "state.items": [{"n": 1}, {"n": 2}], "data.stats": {"a": 1, "b": {"c": 2, "d": 3}}}


@call("task.set_fields")
def _task_set_fields(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_fields(task_id, [{"field": "data.progress", "payload": 40},
                                        {"field": "data.progress", "payload": 75}])
    assert w.api.task.get_field(task_id, "data.progress") == 75


@call("task.set_fields_from_dict")
def _task_set_fields_from_dict(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_fields_from_dict(task_id, {"data.done": 3, "state.phase": "upload"})
    assert w.api.task.get_fields(task_id, ["data.done", "state.phase"]) == {"data.done": 3, "state.phase": "upload"}


@call("task.get_fields")
def _task_get_fields(w: World) -> None:
    task_id = _task(w)
    w.api.task.set_fields_from_dict(task_id, {"data.total": 10, "state.user": "ann"})
    with w.sent():
        fields = w.api.task.get_fields(task_id, ["data.total", "state.user", "data.unset", "data"])
    assert fields == {"data.total": 10, "state.user": "ann", "data.unset": None, "data": {"total": 10}}


@call("task.get_field")
def _task_get_field(w: World) -> None:
    task_id = _task(w)
    w.api.task.set_field(task_id, "state.selected", [1, 2])
    with w.sent():
        value = w.api.task.get_field(task_id, "state.selected")
    assert value == [1, 2]


@call("task.set_output_text")
def _task_set_output_text(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_output_text(task_id, "All done", description="6 images")
    general = _task_output(w, task_id)["general"]
    assert (general["title"], general["description"], general["isError"]) == ("All done", "6 images", False)


@call("task.set_output_error")
def _task_set_output_error(w: World) -> None:
    task_id = _task(w)
    w.api.task.set_output_text(task_id, "first")
    with w.sent():
        w.api.task.set_output_error(task_id, "Broken", description="no images")
    general = _task_output(w, task_id)["general"]  # the error replaced the text
    assert (general["title"], general["isError"], general["showLogs"]) == ("Broken", True, True)


@call("task.set_output_report")
def _task_set_output_report(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_output_report(task_id, 55, "report.lnk")
    general = _task_output(w, task_id)["general"]
    assert (general["title"], general["description"]) == ("report.lnk", "Report")
    assert general["titleUrl"] == "/files/55"


@call("task.set_output_directory")
def _task_set_output_directory(w: World) -> None:
    task_id = _task(w)
    with w.sent():
        w.api.task.set_output_directory(task_id, 56, "/exports/lemons/")
    general = _task_output(w, task_id)["general"]
    assert (general["title"], general["description"]) == ("/exports/lemons/", "Directory")


@call("task.set_output_experiment")
def _task_set_output_experiment(w: World) -> None:
    task_id = _task(w)
    experiment = {"experiment_name": "lemons", "evaluation_metrics": {"mAP": 0.9}}
    with w.sent():
        w.api.task.set_output_experiment(task_id, experiment)
    assert _task_output(w, task_id) == {"experiment": {"data": experiment}}


@call("task.submit_logs")
def _task_submit_logs(w: World) -> None:
    task_id = _task(w)
    records = [{"message": "import started", "level": "info", "timestamp": "2026-01-01T10:00:00.000Z",
                "task_id": task_id, "event_type": "EventType.LOGJ"},
               {"message": "bad image", "level": "warn", "timestamp": "2026-01-01T10:00:01.000Z", "task_id": task_id}]
    with w.sent():
        w.api.task.submit_logs(records)
    assert [(e["message"], e["level"]) for e in w.api.task.get_logs(task_id)] == [
        ("import started", "info"), ("bad image", "warn")]


@call("task.get_logs")
def _task_get_logs(w: World) -> None:
    task_id, other = _task(w), _task(w)
    stamps = [f"2026-01-01T10:00:0{k}.000Z" for k in range(4)]
    w.api.task.submit_logs([{"message": f"step {k}", "level": "info", "timestamp": stamp, "task_id": task_id}
                            for k, stamp in enumerate(stamps)]
                           + [{"message": "elsewhere", "level": "info", "timestamp": stamps[0], "task_id": other}])
    with w.sent():
        everything = w.api.task.get_logs(task_id)
        later = w.api.task.get_logs(task_id, since_time=stamps[1], limit=1)
    assert [e["message"] for e in everything] == ["step 0", "step 1", "step 2", "step 3"]
    assert later == [{"level": "info", "message": "step 2", "timestamp": stamps[2], "task_id": task_id}]
