"""The developer portal's "User management" and "Cloning projects for development" tutorials, step by step
through the real SDK on a fresh sandbox, with the tutorials' ids (team 8, user 7 "admin", project 5555)."""

from __future__ import annotations

import json

import supervisely as sly

TEAM_ID, USER_ID, USER_LOGIN = 8, 7, "admin"
WORKSPACE_ID, PROJECT_ID = 349, 5555
VOLATILE = {"id", "classId", "tagId", "figureId", "createdAt", "updatedAt", "entityId", "objectId"}


def neutral(value):
    """Annotation or meta JSON without ids and timestamps, so a source and its copy compare equal."""
    if isinstance(value, dict):
        return {key: neutral(item) for key, item in value.items() if key not in VOLATILE}
    if isinstance(value, list):
        return [neutral(item) for item in value]
    return value


def user_teams(api, login: str) -> list[tuple[int | None, str, int, str]]:
    """The tutorial's print_user_teams(login), as data: (team id, team name, role id, role)."""
    user = api.user.get_info_by_login(login)
    return [(team.id, team.name, team.role_id, team.role) for team in api.user.get_teams(user.id)]


def test_the_user_management_tutorial(fresh_sandbox, make_api):
    api = make_api(fresh_sandbox)

    # list available roles on the instance: the tutorial's four come first, with their ids
    roles = api.role.get_list()
    assert [(r.id, r.role) for r in roles][:4] == [(1, "admin"), (2, "developer"), (3, "annotator"), (4, "viewer")]

    # list all registered users; get UserInfo about yourself, by id and by login
    assert [(u.id, u.login) for u in api.user.get_list()] == [(USER_ID, USER_LOGIN)]
    my_info = api.user.get_my_info()
    assert (my_info.id, my_info.login) == (USER_ID, USER_LOGIN)
    assert api.user.get_info_by_id(USER_ID) == api.user.get_info_by_login(USER_LOGIN)
    assert user_teams(api, USER_LOGIN) == [(TEAM_ID, "Demo Team", 1, "admin")]

    # create a new user (not restricted): as printed, id 101, name '', no email, never logged in
    new_user = api.user.get_info_by_login("demo_user_451")
    assert new_user is None
    new_user = api.user.create(login="demo_user_451", password="123abc", is_restricted=False)
    assert (new_user.id, new_user.login, new_user.name, new_user.email, new_user.logins, new_user.disabled) == (
        101, "demo_user_451", "", None, 0, False
    )
    assert new_user.last_login is None
    # ... and signing up gave them a personal team, named after them, with them as its admin
    ((personal_id, personal_name, role_id, role),) = user_teams(api, "demo_user_451")
    assert (personal_name, role_id, role) == ("demo_user_451", 1, "admin")
    assert [w.name for w in api.workspace.get_list(personal_id)] == ["First Workspace"]
    assert [(m.login, m.role) for m in api.user.get_team_members(personal_id)] == [("demo_user_451", "admin")]

    # update user info: name and password
    updated = api.user.update(new_user.id, password="abc123", name="Bob")
    assert (updated.id, updated.name) == (101, "Bob")

    # disable and enable the user
    api.user.disable(new_user.id)
    assert api.user.get_info_by_id(new_user.id).disabled is True
    api.user.enable(new_user.id)
    assert api.user.get_info_by_id(new_user.id).disabled is False

    # invite the user to the team as an annotator
    team = api.team.get_info_by_id(TEAM_ID)
    assert api.user.get_team_role(new_user.id, team.id) is None
    api.user.add_to_team(new_user.id, team.id, api.role.DefaultRole.ANNOTATOR)
    assert user_teams(api, "demo_user_451") == [
        (personal_id, "demo_user_451", 1, "admin"), (TEAM_ID, "Demo Team", 3, "annotator")
    ]

    # list all team members with their roles
    members = api.user.get_team_members(team.id)
    assert sorted((m.login, m.role) for m in members) == [("admin", "admin"), ("demo_user_451", "annotator")]

    # change the user's role in the team
    api.user.change_team_role(new_user.id, team.id, api.role.DefaultRole.VIEWER)
    assert user_teams(api, "demo_user_451") == [
        (personal_id, "demo_user_451", 1, "admin"), (TEAM_ID, "Demo Team", 4, "viewer")
    ]

    # remove the user from the team: only the personal team is left
    api.user.remove_from_team(new_user.id, team.id)
    assert user_teams(api, "demo_user_451") == [(personal_id, "demo_user_451", 1, "admin")]
    assert [m.login for m in api.user.get_team_members(TEAM_ID)] == ["admin"]


def test_a_restricted_user_gets_no_team_and_personal_team_names_stay_unique(fresh_sandbox, make_api):
    api = make_api(fresh_sandbox)
    labeler = api.user.create(login="labeler_1", password="11111abc", is_restricted=True)
    assert api.user.get_teams(labeler.id) == []
    api.team.create("ann")
    ann = api.user.create(login="ann", password="pass1234")  # the SDK's default: not restricted
    ((team_id, name, _, role),) = user_teams(api, "ann")
    assert (name, role) == ("ann_2", "admin") and team_id != api.team.get_info_by_name("ann").id
    assert ann.id not in [m.id for m in api.user.get_team_members(api.team.get_info_by_name("ann").id)]
    # the token's owner is no member of the new personal teams, so its team list is unchanged
    assert sorted(t.name for t in api.team.get_list()) == ["Demo Team", "ann"]


def test_the_cloning_projects_tutorial(fresh_sandbox, make_api, tmp_path):
    api = make_api(fresh_sandbox)
    project_id, workspace_id = PROJECT_ID, WORKSPACE_ID

    # Option 3: save the project with the SDK and archive it ...
    save_dir = tmp_path / "my_saved_data"
    sly.Project.download(api, project_id, str(save_dir), save_image_info=True, save_image_meta=True)
    archive_path = tmp_path / f"{project_id}_archive.zip"
    sly.fs.archive_directory(str(save_dir), str(archive_path))
    assert archive_path.stat().st_size > 0
    saved = sly.Project(str(save_dir), sly.OpenMode.READ)
    assert (saved.total_items, [d.name for d in saved.datasets]) == (6, ["ds1"])

    # Option 4: clone the project with the SDK, wait for the task, read the new project's id from it
    task_id = api.project.clone(project_id, workspace_id, "my_cloned_project")
    api.task.wait(task_id, api.task.Status.FINISHED)
    task_info = api.task.get_info_by_id(task_id)
    dst_project_id = task_info["meta"]["output"]["project"]["id"]
    clone = api.project.get_info_by_id(dst_project_id)
    assert (clone.name, clone.workspace_id, clone.images_count, clone.datasets_count) == (
        "my_cloned_project", WORKSPACE_ID, 6, 1
    )
    assert dst_project_id in [p.id for p in api.project.get_list(WORKSPACE_ID)]

    # the clone holds what the source holds: meta, and every image's annotation as the saved copy has it
    assert neutral(api.project.get_meta(dst_project_id)) == neutral(api.project.get_meta(project_id))
    (dataset,) = api.dataset.get_list(dst_project_id)
    assert dataset.name == "ds1"
    images = api.image.get_list(dataset.id)
    saved_ds = saved.datasets.get("ds1")
    assert sorted(i.name for i in images) == sorted(saved_ds.get_items_names())
    for image, ann in zip(images, api.annotation.download_json_batch(dataset.id, [i.id for i in images])):
        with open(saved_ds.get_ann_path(image.name)) as file:
            assert neutral(ann) == neutral(json.load(file)), image.name
    assert sum(len(a["objects"]) for a in api.annotation.download_json_batch(dataset.id, [i.id for i in images])) == 17

    # ... and the original data is safe while the clone is worked on
    api.project.remove(dst_project_id)
    assert api.project.get_info_by_id(project_id).images_count == 6
