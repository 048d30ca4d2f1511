package io.exgate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HttpProxyFieldTest {
    /** Copied from the field list of Exchange 2016/2019 logs (build 15.01.2375). */
    static final String EXCHANGE_FIELDS = "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,"
            + "RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,"
            + "IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,"
            + "ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,"
            + "TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,"
            + "RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,"
            + "CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,"
            + "TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,"
            + "SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,"
            + "ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,"
            + "BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,"
            + "ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,"
            + "HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,"
            + "TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,"
            + "EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";

    @Test
    void hasExchangesSeventyFourColumnsInExchangesOrder() {
        assertThat(HttpProxyField.values()).hasSize(74);
        assertThat(Arrays.stream(HttpProxyField.values()).map(HttpProxyField::headerName))
                .containsExactly(EXCHANGE_FIELDS.split(","));
    }

    @Test
    void spellsBackEndTheWayExchangeDoesNotTheWayPublicParsersDo() {
        assertThat(HttpProxyField.BackEndStatus.headerName()).isEqualTo("BackEndStatus");
        assertThat(HttpProxyField.BackEndCookie.headerName()).isEqualTo("BackEndCookie");
        assertThat(HttpProxyField.BackendProcessingLatency.headerName()).isEqualTo("BackendProcessingLatency");
    }
}
