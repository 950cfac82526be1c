-- One database per service: each service owns its data and no other reads its tables.
-- The names are the ones `npm start` uses. Runs once, when the data volume is empty.
CREATE DATABASE taskforge_gateway;
CREATE DATABASE taskforge_catalog;
CREATE DATABASE taskforge_scheduler;
CREATE DATABASE taskforge_dispatch;
CREATE DATABASE taskforge_webhooks;
