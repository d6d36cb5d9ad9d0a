//! users/get_current_account, users/get_space_usage, auth/token/revoke.

use super::{json, void_arg, Answer, Call, Failure};
use crate::faults::lock;
use crate::Shared;
use dropbox::users::{FullAccount, IndividualSpaceAllocation, Name, SpaceAllocation, SpaceUsage};

pub(super) fn get_current_account(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    void_arg(call)?;
    let name = Name::new(
        "Franz".into(),
        "Ferdinand".into(),
        "Franz".into(),
        "Franz Ferdinand (Personal)".into(),
        "FF".into(),
    );
    let root = dropbox::common::RootInfo::User(dropbox::common::UserRootInfo::new(
        "3235641".into(),
        "3235641".into(),
    ));
    let mut account = FullAccount::new(
        crate::ACCOUNT_ID.into(),
        name,
        crate::ACCOUNT_EMAIL.into(),
        true,
        false,
        "en".into(),
        "https://db.tt/ZITNuhtI".into(),
        false,
        dropbox::users_common::AccountType::Basic,
        root,
    );
    account.country = Some("US".into());
    drop(lock(&shared.state));
    json(&account)
}

pub(super) fn get_space_usage(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    void_arg(call)?;
    let state = lock(&shared.state);
    let usage = SpaceUsage::new(
        state.tree.used(),
        SpaceAllocation::Individual(IndividualSpaceAllocation::new(state.tree.quota)),
    );
    json(&usage)
}

/// Revokes the token the call came with.
pub(super) fn token_revoke(shared: &Shared, call: &Call) -> Result<Answer, Failure> {
    void_arg(call)?;
    if let Some(token) = &call.token {
        lock(&shared.state).tokens.revoke(token);
    }
    Ok(Answer::Json("null".into()))
}
