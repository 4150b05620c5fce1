//! `curator models`, `curator routes …`, `curator readiness`.

use crate::out::{emit, opt};
use clap::Subcommand;
use curator_core::readiness::TaskReadiness;
use curator_core::routes::{parse_routes_input, Task, TaskRoutes};
use curator_core::{Core, CoreError};

#[derive(Subcommand)]
pub enum RoutesCmd {
    /// Current task routes and use_separate_models.
    Get,
    /// Save routes from JSON: {"categorization": {...}, "scoring": {...}, "use_separate_models": bool}.
    Set {
        #[arg(value_name = "JSON")]
        routes: String,
    },
}

fn routes_text(r: &TaskRoutes) -> String {
    let mut s = format!("use_separate_models: {}", r.use_separate_models);
    for route in &r.routes {
        s.push_str(&format!(
            "\n{:<15} {}:{}  batch {}",
            route.task.as_str(),
            route.provider,
            opt(&route.model),
            opt(&route.batch_size)
        ));
    }
    s
}

pub async fn run_routes(cmd: RoutesCmd, core: Core, json: bool) -> Result<(), CoreError> {
    let r = match cmd {
        RoutesCmd::Get => core.get_task_routes().await?,
        RoutesCmd::Set { routes } => {
            core.update_task_routes(parse_routes_input(&routes)?)
                .await?
        }
    };
    emit(json, &r, routes_text);
    Ok(())
}

fn task_text(name: &str, t: &TaskReadiness) -> String {
    if t.ready {
        format!("{name}: ready ({}:{})", opt(&t.provider), opt(&t.model))
    } else {
        format!(
            "{name}: {} [fix: {}]",
            opt(&t.message),
            t.fix.map_or("-", |f| f.as_str())
        )
    }
}

pub async fn run_readiness(core: Core, task: Option<Task>, json: bool) -> Result<(), CoreError> {
    if let Some(task) = task {
        let r = core.task_readiness_of(task).await?;
        emit(json, &r, |r| task_text(task.as_str(), r));
        return Ok(());
    }
    let r = core.task_readiness().await?;
    emit(json, &r, |r| {
        format!(
            "{}\n{}",
            task_text("categorization", &r.categorization),
            task_text("scoring", &r.scoring)
        )
    });
    Ok(())
}

pub async fn run_models(core: Core, refresh: bool, json: bool) -> Result<(), CoreError> {
    let m = core.list_models(refresh).await?;
    emit(json, &m, |m| {
        let mut s = String::new();
        for p in &m.providers {
            s.push_str(&format!(
                "{}: {}, {} models{}{}\n",
                p.provider.as_str(),
                p.status.as_str(),
                p.count,
                p.age_s.map_or(String::new(), |a| format!(", {a} s old")),
                p.error
                    .as_ref()
                    .map_or(String::new(), |e| format!(" ({})", e.message))
            ));
        }
        for x in &m.models {
            s.push_str(&format!("  {}\n", x.id));
        }
        s
    });
    Ok(())
}
